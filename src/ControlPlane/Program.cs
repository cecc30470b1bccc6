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
        return root.Parse(args).Invoke();
    }
}
