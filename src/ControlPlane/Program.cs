// The fastbridge program: the composition root. Parses the command line and hands off to a
// command: the daemon (run), the lab, or a client command that talks to a running daemon. Every
// refusal is one line on stderr and a non-zero exit.
using System.CommandLine;
using FastBridge.ControlPlane.Cli;
using FastBridge.ControlPlane.Lab;

namespace FastBridge.ControlPlane;

internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand("FastBridge: a user-space Ethernet switch, managed like the Linux bridge.");
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(LabCommand.Create());
        foreach (Command client in ClientCommands.Create())
        {
            root.Subcommands.Add(client);
        }
        return root.Parse(args).Invoke();
    }
}
