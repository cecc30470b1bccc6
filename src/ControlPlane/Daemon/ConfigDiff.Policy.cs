// The port policy part of the config diff (issue 14): a port whose flags the new config changes gets
// them set, and so does a port added again (a removed port forgets its flags) when the config gives
// it any; a port the new config no longer lists flags for goes back to the defaults.
using FastBridge.Datapath.Forwarding;

namespace FastBridge.ControlPlane.Daemon;

internal static partial class ConfigDiff
{
    private static void PortFlagChanges(List<ConfigCommand> commands, DaemonConfig running, DaemonConfig wanted)
    {
        foreach (string port in wanted.Ports)
        {
            PortFlags flags = PortPolicyConfig.For(wanted, port);
            bool added = commands.Contains(new ConfigCommand.AddPort(port));
            if (added ? flags != PortFlags.Default : flags != PortPolicyConfig.For(running, port))
            {
                commands.Add(new ConfigCommand.SetPortFlags(port, flags));
            }
        }
    }
}
