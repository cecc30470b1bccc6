// The fastbridge program's entry point: parses the command line and hands off to a command.
using System.CommandLine;

namespace FastBridge.ControlPlane;

internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand("FastBridge: a user-space Ethernet switch.");
        return root.Parse(args).Invoke();
    }
}
