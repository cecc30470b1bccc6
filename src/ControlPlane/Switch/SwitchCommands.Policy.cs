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
    /// Turns the named flags on (true) or off, and sets the MAC limit and its action where given, the rest
    /// as it is; returns the port's policy as `port show` prints it.
    /// </summary>
    public string ChangePortPolicy(string name, IReadOnlyDictionary<string, bool>? flags, int? maxLearned, string? limitAction)
    {
        int id = RequirePort(name);
        if ((flags is null || flags.Count == 0) && maxLearned is null && limitAction is null)
        {
            throw new CommandRefusedException(400, $"nothing to set (flags: {PortFlagNames.Known}; max_learned, limit_action)");
        }
        PortPolicy policy = Datapath.PortPolicyOf(id);
        if (!PortFlagNames.TryApply(policy.Flags, flags ?? new Dictionary<string, bool>(), out PortFlags changed, out string? unknown))
        {
            throw new CommandRefusedException(400, $"unknown port flag '{EchoedText.Cut(unknown)}' (known: {PortFlagNames.Known})");
        }
        if (maxLearned < 0)
        {
            throw new CommandRefusedException(400, string.Create(CultureInfo.InvariantCulture, $"max_learned must be 0 (no limit) or more, not {maxLearned}"));
        }
        policy = new PortPolicy(changed, maxLearned ?? policy.MaxLearned, limitAction is null ? policy.LimitAction : ParseLimitAction(limitAction));
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

    internal static MacLimitAction ParseLimitAction(string text) => text switch
    {
        "stop" => MacLimitAction.Stop,
        "shutdown" => MacLimitAction.Shutdown,
        _ => throw new CommandRefusedException(400, $"limit_action must be stop or shutdown, not '{EchoedText.Cut(text)}'"),
    };
}

/// <summary>A port policy as `port show` prints it: every flag, then the MAC limit when there is one.</summary>
internal static class PortPolicyText
{
    public static string Format(PortPolicy policy) => PortFlagNames.Format(policy.Flags) + (policy.MaxLearned == 0 ? "" :
        string.Create(CultureInfo.InvariantCulture, $" max_learned {policy.MaxLearned} limit_action {(policy.LimitAction == MacLimitAction.Stop ? "stop" : "shutdown")}"));
}
