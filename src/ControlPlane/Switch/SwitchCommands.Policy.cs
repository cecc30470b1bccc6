// The port policy commands (issue 14) on the live switch: change a port's flags and MAC limit, and
// enable a port a policy took down. Each change is checked whole before anything is set, so a bad
// name or value changes nothing. API threads and the config diff; the datapath publishes the new
// policy to the loops (DatapathHost.Policy.cs).
using System.Globalization;
using FastBridge.Datapath.Forwarding;

namespace FastBridge.ControlPlane.Switch;

internal sealed partial class SwitchCommands
{
    /// <summary>
    /// Turns the named flags on (true) or off, and sets the MAC limit, its action and the storm control rates
    /// where given (a rate of 0 removes it), the rest as it is; returns the port's policy as `port show` prints it.
    /// </summary>
    public string ChangePortPolicy(string name, PortPolicyChange? change)
    {
        int id = RequirePort(name);
        if (change is null || ((change.Flags is null || change.Flags.Count == 0) && change.MaxLearned is null && change.LimitAction is null
            && change.StormBroadcast is null && change.StormMulticast is null && change.StormUnknownUnicast is null && !LoopProtectionText.Changes(change)))
        {
            throw new CommandRefusedException(400, $"nothing to set (flags: {PortFlagNames.Known}; max_learned, limit_action, {PortPolicyText.StormKeys}, {LoopProtectionText.Keys})");
        }
        PortPolicy policy = LoopProtectionText.Apply(Datapath.PortPolicyOf(id), change);
        if (!PortFlagNames.TryApply(policy.Flags, change.Flags ?? new Dictionary<string, bool>(), out PortFlags flags, out string? unknown))
        {
            throw new CommandRefusedException(400, $"unknown port flag '{EchoedText.Cut(unknown)}' (known: {PortFlagNames.Known})");
        }
        policy = policy with
        {
            Flags = flags,
            MaxLearned = NotNegative("max_learned", change.MaxLearned) ?? policy.MaxLearned,
            LimitAction = change.LimitAction is null ? policy.LimitAction : ParseLimitAction(change.LimitAction),
            BroadcastRate = NotNegative("storm_broadcast", change.StormBroadcast) ?? policy.BroadcastRate,
            MulticastRate = NotNegative("storm_multicast", change.StormMulticast) ?? policy.MulticastRate,
            UnknownUnicastRate = NotNegative("storm_unknown_unicast", change.StormUnknownUnicast) ?? policy.UnknownUnicastRate,
        };
        SetPortPolicy(name, policy);
        return PortPolicyText.Format(policy);
    }

    /// <summary>Sets a port's whole policy (the config's for it).</summary>
    public void SetPortPolicy(string name, PortPolicy policy)
    {
        RequirePort(name);
        try
        {
            Datapath.SetPortPolicy(name, policy);
        }
        catch (KeyNotFoundException)
        {
            throw new CommandRefusedException(404, $"unknown port {EchoedText.Cut(name)}");
        }
    }

    /// <summary>Puts a port that a policy shut down (a MAC limit with action shutdown) back into forwarding.</summary>
    public void EnablePort(string name)
    {
        RequirePort(name);
        if (!Datapath.EnablePort(name))
        {
            throw new CommandRefusedException(409, $"port {EchoedText.Cut(name)} was not shut down by a port policy");
        }
    }

    private static int? NotNegative(string key, int? value) => value < 0
        ? throw new CommandRefusedException(400, string.Create(CultureInfo.InvariantCulture, $"{key} must be 0 (no limit) or more, not {value}"))
        : value;

    internal static MacLimitAction ParseLimitAction(string text) => text switch
    {
        "stop" => MacLimitAction.Stop,
        "shutdown" => MacLimitAction.Shutdown,
        _ => throw new CommandRefusedException(400, $"limit_action must be stop or shutdown, not '{EchoedText.Cut(text)}'"),
    };
}

/// <summary>A port policy as `port show` prints it: every flag, then the MAC limit and storm rates that are set.</summary>
internal static class PortPolicyText
{
    public const string StormKeys = "storm_broadcast, storm_multicast, storm_unknown_unicast";

    public static string Format(PortPolicy policy) => PortFlagNames.Format(policy.Flags) + string.Create(CultureInfo.InvariantCulture,
        $"{(policy.MaxLearned == 0 ? "" : $" max_learned {policy.MaxLearned} limit_action {(policy.LimitAction == MacLimitAction.Stop ? "stop" : "shutdown")}")}" +
        $"{Rate("storm_broadcast", policy.BroadcastRate)}{Rate("storm_multicast", policy.MulticastRate)}{Rate("storm_unknown_unicast", policy.UnknownUnicastRate)}")
        + LoopProtectionText.Format(policy);

    private static string Rate(string key, int rate) => rate == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $" {key} {rate}");
}
