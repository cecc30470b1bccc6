// A command line the parser refused, as the one line fastbridge prints for it (exit 2): the word
// that is wrong named in words, and the help to read, the whole command path spelled out. The
// parser's own messages are kept where they already say what is wrong; where they do not ("Required
// command was not provided" for `fastbridge --bogus`) the line names the word or lists the
// commands there are. Pure; runs once per process.
using System.CommandLine;
using System.CommandLine.Parsing;

namespace FastBridge.ControlPlane.Cli;

internal static class UsageErrors
{
    /// <summary>The line for stderr, "fastbridge: WHAT (see fastbridge CMD --help)", or null when <paramref name="parse"/> has no error.</summary>
    public static string? Line(ParseResult parse)
    {
        if (parse.Errors.Count == 0)
        {
            return null;
        }
        CommandResult at = parse.CommandResult;
        Command command = at.Command;
        string path = Path(at);
        string commands = string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name));
        string message;
        if (parse.UnmatchedTokens.Count > 0)
        {
            string token = EchoedText.Cut(parse.UnmatchedTokens[0]);
            message = token.StartsWith('-') ? ValueParsers.Unrecognized(token)
                : command.Subcommands.Count > 0 ? $"unknown command '{token}' (one of {commands})"
                : $"unexpected word '{token}'";
        }
        else if (command.Subcommands.Count > 0 && command.Action is null && !parse.Errors.Any(e => e.SymbolResult is ArgumentResult or OptionResult))
        {
            message = $"no command given (one of {commands})";
        }
        else
        {
            // An unknown option is the first thing to say: what else is wrong may only follow from it (a word missing
            // because the option took its place).
            ParseError first = parse.Errors.FirstOrDefault(e => e.Message.StartsWith(ValueParsers.UnrecognizedPrefix, StringComparison.Ordinal)) ?? parse.Errors[0];
            message = first.Message.ReplaceLineEndings(" ").Replace("\t", "", StringComparison.Ordinal);
        }
        return $"fastbridge: {message} (see {path} --help)";
    }

    /// <summary>"fastbridge fdb show" for the result of `show`.</summary>
    private static string Path(CommandResult result)
    {
        var names = new List<string>();
        for (CommandResult? at = result; at?.Parent is CommandResult parent; at = parent)
        {
            names.Insert(0, at.Command.Name);
        }
        return string.Join(' ', ["fastbridge", .. names]);
    }
}
