// The fastbridge program: the composition root. Parses the command line and hands off to a
// command: the daemon (run), the lab, a client command that talks to a running daemon, or the
// words help and version. A command line the parser refuses is one line on stderr and exit 2
// (UsageErrors); every other refusal is one line on stderr and the command's own exit code.
using System.CommandLine;
using FastBridge.ControlPlane.Cli;
using FastBridge.ControlPlane.Lab;

namespace FastBridge.ControlPlane;

internal static class Program
{
    private static int Main(string[] args)
    {
        ParseResult parse = Parse(args);
        if (UsageErrors.Line(parse) is { } error)
        {
            Console.Error.WriteLine(error);
            return 2;
        }
        return parse.Invoke();
    }

    /// <summary>Every command, registered one line per group.</summary>
    internal static RootCommand CreateRoot()
    {
        var root = new RootCommand("FastBridge: a user-space Ethernet switch, managed like the Linux bridge. " +
            "Client commands (port, fdb, set, status, stats) take -j/--json, -p/--pretty and --socket PATH before or after their words, as bridge takes -j.");
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(LabCommand.Create());
        foreach (Command client in ClientCommands.Create())
        {
            root.Subcommands.Add(client);
        }
        foreach (Command word in HelpCommands.Create(root))
        {
            root.Subcommands.Add(word);
        }
        return root;
    }

    /// <summary>
    /// <paramref name="args"/> parsed, with client options typed before a client command moved behind
    /// it (ClientOptions.Hoist), and no @file expansion: a word that starts with @ is a word.
    /// </summary>
    internal static ParseResult Parse(IReadOnlyList<string> args)
    {
        RootCommand root = CreateRoot();
        return root.Parse(ClientOptions.Hoist(args, root), new ParserConfiguration { ResponseFileTokenReplacer = null });
    }
}
