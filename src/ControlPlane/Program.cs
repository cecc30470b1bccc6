// The fastbridge program: the composition root. Parses the command line and hands off to a
// command; every refusal is one line on stderr and a non-zero exit.
using System.CommandLine;
using FastBridge.ControlPlane.Lab;

namespace FastBridge.ControlPlane;

internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand("FastBridge: a user-space Ethernet switch, managed like the Linux bridge.");
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(LabCommand.Create());
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // One line naming what is wrong, not a page of help.
            string command = parse.CommandResult.Command == root ? "fastbridge" : $"fastbridge {parse.CommandResult.Command.Name}";
            Console.Error.WriteLine($"fastbridge: {parse.Errors[0].Message.ReplaceLineEndings(" ").Replace("\t", "", StringComparison.Ordinal)} (see {command} --help)");
            return 2;
        }
        return parse.Invoke();
    }
}
