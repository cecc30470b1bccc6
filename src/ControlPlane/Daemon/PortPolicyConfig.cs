// The config's port policy (issue 14): "portPolicy": {"IF": {"learning": false, "isolated": true}}, one
// object per port, flags by their `bridge link set` names, each true or false; a port not listed keeps
// the defaults. Read with the rest of the config, at load and on SIGHUP; main thread.
using FastBridge.Datapath.Forwarding;
using Microsoft.Extensions.Configuration;

namespace FastBridge.ControlPlane.Daemon;

internal static class PortPolicyConfig
{
    public const string Key = "portPolicy";

    /// <summary>The flags of every port the section lists; <paramref name="bad"/> makes the refusal for a key and what is wrong with it.</summary>
    public static Dictionary<string, PortFlags> Read(IConfigurationSection section, string[] ports, Func<string, string, ConfigException> bad)
    {
        var flagsByPort = new Dictionary<string, PortFlags>(StringComparer.Ordinal);
        foreach (IConfigurationSection port in section.GetChildren())
        {
            if (!ports.Contains(port.Key, StringComparer.Ordinal))
            {
                throw bad(port.Path, $"{EchoedText.Cut(port.Key)} is not one of the ports ({string.Join(", ", ports)})");
            }
            var changes = new List<KeyValuePair<string, bool>>();
            foreach (IConfigurationSection flag in port.GetChildren())
            {
                bool on = string.Equals(flag.Value, "true", StringComparison.OrdinalIgnoreCase);
                if (!on && !string.Equals(flag.Value, "false", StringComparison.OrdinalIgnoreCase))
                {
                    throw bad(flag.Path, $"'{EchoedText.Cut(flag.Value)}' must be true or false");
                }
                changes.Add(new(flag.Key, on));
            }
            if (!PortFlagNames.TryApply(PortFlags.Default, changes, out PortFlags flags, out string? unknown))
            {
                throw bad($"{port.Path}:{unknown}", $"unknown port flag (known: {PortFlagNames.Known})");
            }
            flagsByPort[port.Key] = flags;
        }
        return flagsByPort;
    }

    /// <summary>The flags the config gives <paramref name="port"/>: its own, or the defaults.</summary>
    public static PortFlags For(DaemonConfig config, string port) =>
        config.FlagsByPort?.GetValueOrDefault(port, PortFlags.Default) ?? PortFlags.Default;
}
