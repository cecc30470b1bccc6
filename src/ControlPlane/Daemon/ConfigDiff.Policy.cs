// The port policy part of the config diff (issue 14): a port whose policy the new config changes gets
// it set, and so does a port added again (a removed port forgets its policy) when the config gives it
// one; a port the new config no longer gives a policy goes back to the default.
using FastBridge.Datapath.Forwarding;

namespace FastBridge.ControlPlane.Daemon;

internal static partial class ConfigDiff
{
    private static void PortPolicyChanges(List<ConfigCommand> commands, DaemonConfig running, DaemonConfig wanted)
    {
        foreach (string port in wanted.Ports)
        {
            PortPolicy policy = PortPolicyConfig.For(wanted, port);
            bool added = commands.Contains(new ConfigCommand.AddPort(port));
            if (added ? policy != PortPolicy.Default : policy != PortPolicyConfig.For(running, port))
            {
                commands.Add(new ConfigCommand.SetPortPolicy(port, policy));
            }
        }
    }
}
