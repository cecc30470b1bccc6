// The config's port policy (issue 14): "portPolicy": {"IF": {"learning": false, "isolated": true,
// "max_learned": 100, "limit_action": "shutdown", "storm_broadcast": 1000, "loop_action": "block", "loop_hold": 30}}, one object per port, flags by their `bridge link
// set` names, each true or false; a port not listed keeps the defaults. Read with the rest of the
// config, at load and on SIGHUP; main thread.
using System.Globalization;
using FastBridge.ControlPlane.Switch;
using FastBridge.Datapath.Forwarding;
using Microsoft.Extensions.Configuration;

namespace FastBridge.ControlPlane.Daemon;

internal static class PortPolicyConfig
{
    public const string Key = "portPolicy";

    /// <summary>The policy of every port the section lists; <paramref name="bad"/> makes the refusal for a key and what is wrong with it.</summary>
    public static Dictionary<string, PortPolicy> Read(IConfigurationSection section, string[] ports, Func<string, string, ConfigException> bad)
    {
        var policies = new Dictionary<string, PortPolicy>(StringComparer.Ordinal);
        foreach (IConfigurationSection port in section.GetChildren())
        {
            if (!ports.Contains(port.Key, StringComparer.Ordinal))
            {
                throw bad(port.Path, $"{EchoedText.Cut(port.Key)} is not one of the ports ({string.Join(", ", ports)})");
            }
            var changes = new List<KeyValuePair<string, bool>>();
            PortPolicy policy = PortPolicy.Default;
            foreach (IConfigurationSection key in port.GetChildren())
            {
                string value = key.Value ?? "";
                if (key.Key == "max_learned")
                {
                    policy = policy with
                    {
                        MaxLearned = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n)
                            ? n : throw bad(key.Path, $"'{EchoedText.Cut(value)}' must be a whole number, 0 for no limit"),
                    };
                    continue;
                }
                if (key.Key is "storm_broadcast" or "storm_multicast" or "storm_unknown_unicast")
                {
                    int rate = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int r) && r > 0
                        ? r : throw bad(key.Path, $"'{EchoedText.Cut(value)}' must be a whole number of frames/s, at least 1");
                    policy = key.Key switch
                    {
                        "storm_broadcast" => policy with { BroadcastRate = rate },
                        "storm_multicast" => policy with { MulticastRate = rate },
                        _ => policy with { UnknownUnicastRate = rate },
                    };
                    continue;
                }
                if (key.Key is "loop_action" or "mac_flap_limit" or "loop_hold")
                {
                    policy = ReadLoopProtection(policy, key.Key, value, message => bad(key.Path, message));
                    continue;
                }
                if (key.Key == "limit_action")
                {
                    try
                    {
                        policy = policy with { LimitAction = SwitchCommands.ParseLimitAction(value) };
                    }
                    catch (CommandRefusedException e)
                    {
                        throw bad(key.Path, e.Message);
                    }
                    continue;
                }
                bool on = string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);
                if (!on && !string.Equals(value, "false", StringComparison.OrdinalIgnoreCase))
                {
                    throw bad(key.Path, $"'{EchoedText.Cut(value)}' must be true or false");
                }
                changes.Add(new(key.Key, on));
            }
            if (!PortFlagNames.TryApply(PortFlags.Default, changes, out PortFlags flags, out string? unknown))
            {
                throw bad($"{port.Path}:{unknown}", $"unknown key (known: {PortFlagNames.Known}, max_learned, limit_action, {PortPolicyText.StormKeys}, {LoopProtectionText.Keys})");
            }
            policies[port.Key] = policy with { Flags = flags };
        }
        return policies;
    }

    private static PortPolicy ReadLoopProtection(PortPolicy policy, string key, string value, Func<string, ConfigException> bad)
    {
        int? number = key == "loop_action" ? null
            : int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) ? n
            : throw bad($"'{EchoedText.Cut(value)}' must be a whole number, at least 1");
        try
        {
            return LoopProtectionText.Apply(policy, key switch
            {
                "loop_action" => new PortPolicyChange(null, LoopAction: value),
                "mac_flap_limit" => new PortPolicyChange(null, MacFlapLimit: number),
                _ => new PortPolicyChange(null, LoopHold: number),
            });
        }
        catch (CommandRefusedException e)
        {
            throw bad(e.Message);
        }
    }

    /// <summary>The policy the config gives <paramref name="port"/>: its own, or the default.</summary>
    public static PortPolicy For(DaemonConfig config, string port) =>
        config.PolicyByPort?.GetValueOrDefault(port, PortPolicy.Default) ?? PortPolicy.Default;
}
