// The words `help` and `version`, as bridge(8) and ip(8) take them: `fastbridge help [COMMAND...]`
// is COMMAND's --help, `fastbridge version` is --version; both print the same text as the option.
using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;

namespace FastBridge.ControlPlane.Cli;

internal static class HelpCommands
{
    /// <summary>"fastbridge 0.4.0+COMMIT": the informational version, which carries the commit it was built from.</summary>
    public static string VersionLine { get; } = "fastbridge " + (typeof(HelpCommands).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0");

    /// <summary>`help` and `version` for <paramref name="root"/>, whose --version they also make print <see cref="VersionLine"/>.</summary>
    public static IEnumerable<Command> Create(RootCommand root)
    {
        foreach (VersionOption option in root.Options.OfType<VersionOption>())
        {
            option.Action = new PrintVersion();
        }
        var version = new Command("version", "Print fastbridge's version (and the commit it was built from), as --version does.");
        version.SetAction(new PrintVersion().Invoke);

        var words = new Argument<string[]>("COMMAND") { Arity = ArgumentArity.ZeroOrMore, Description = "The command to explain, e.g. fdb or fdb add." };
        words.Validators.Add(result =>
        {
            string[] path = [.. result.Tokens.Select(t => t.Value)];
            if (path.FirstOrDefault(w => w.StartsWith('-')) is { } option)
            {
                result.AddError("help: " + ValueParsers.Unrecognized(option));
            }
            else if (Find(root, path) is null)
            {
                result.AddError($"help: no command '{EchoedText.Cut(string.Join(' ', path))}' (commands: {string.Join(", ", root.Subcommands.Select(c => c.Name))})");
            }
        });
        var help = new Command("help", "Show the help of fastbridge, or of one command: `fastbridge help fdb add` is `fastbridge fdb add --help`.") { words };
        help.SetAction(parse => root.Parse([.. parse.GetValue(words) ?? [], "--help"]).Invoke());
        return [help, version];
    }

    private static Command? Find(Command root, IEnumerable<string> path)
    {
        Command? at = root;
        foreach (string name in path)
        {
            at = at?.Subcommands.FirstOrDefault(c => c.Name == name);
        }
        return at;
    }

    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            Console.Out.WriteLine(VersionLine);
            return 0;
        }
    }
}
