// One port's policy as the control plane sets it and the poll loops read it (PortPolicyTable): its
// flags, and its limit on learned addresses with what happens when a new source would pass it.
// A value type, compared whole: a port whose policy equals Default costs the forwarder nothing.
namespace FastBridge.Datapath.Forwarding;

/// <summary>What a port does with a new source once it holds MaxLearned learned addresses.</summary>
public enum MacLimitAction : byte
{
    /// <summary>Learn no more on the port (the Linux bridge's fdb_max_learned); frames still forward.</summary>
    Stop,

    /// <summary>Take the port out of forwarding until an operator enables it again (port security).</summary>
    Shutdown,
}

/// <summary>What MAC-flap detection does to the port a flapping station moved to.</summary>
public enum LoopAction : byte
{
    /// <summary>Report the flap only.</summary>
    None,

    /// <summary>Take the port out of forwarding for its LoopHoldSeconds, then put it back.</summary>
    Block,
}

/// <param name="MaxLearned">Most dynamic addresses learned on the port; 0, no limit.</param>
/// <param name="BroadcastRate">Storm control: most broadcast frames per second the port may flood, per poll loop; 0, no limit. So the others.</param>
/// <param name="MacFlapLimit">Most moves a second of one station, moving to this port, before it is a flap (at least 1).</param>
/// <param name="LoopHoldSeconds">How long LoopAction.Block keeps the port out of forwarding (at least 1).</param>
public readonly record struct PortPolicy(PortFlags Flags, int MaxLearned = 0, MacLimitAction LimitAction = MacLimitAction.Stop,
    int BroadcastRate = 0, int MulticastRate = 0, int UnknownUnicastRate = 0,
    LoopAction LoopAction = LoopAction.None, int MacFlapLimit = PortPolicy.DefaultMacFlapLimit, int LoopHoldSeconds = PortPolicy.DefaultLoopHoldSeconds)
{
    /// <summary>A station seen on two ports a few times a second is a host roaming or a failover; dozens is a loop.</summary>
    public const int DefaultMacFlapLimit = 5;

    /// <summary>Long enough for a loop's storm to drain and the FDB to settle, short enough that a healed link returns soon.</summary>
    public const int DefaultLoopHoldSeconds = 30;

    public static PortPolicy Default { get; } = new(PortFlags.Default);

    /// <summary>The storm control rate for flooded frames of <paramref name="kind"/> received on the port; 0, no limit.</summary>
    public int StormRate(FloodClass kind) => kind switch
    {
        FloodClass.Broadcast => BroadcastRate,
        FloodClass.Multicast => MulticastRate,
        _ => UnknownUnicastRate,
    };
}

/// <summary>Why a port policy took a port out of forwarding: the negative codes PortStates.MarkDown records in place of an errno.</summary>
public static class PolicyShutdown
{
    /// <summary>A new source would have passed the port's MaxLearned with action shutdown.</summary>
    public const int MacLimit = -1;

    /// <summary>An STP BPDU arrived on a port with bpdu_guard on.</summary>
    public const int BpduGuard = -2;

    /// <summary>A station flapped onto a port with loop_action block; housekeeping puts it back after its hold time.</summary>
    public const int LoopBlock = -3;

    /// <summary>The reason for a code below 0, or null for an errno.</summary>
    public static string? Reason(int code) => code switch
    {
        MacLimit => "shut down by policy: a new source would pass max_learned",
        BpduGuard => "shut down by policy: bpdu_guard saw an STP BPDU",
        LoopBlock => "blocked by policy: loop_action block saw a MAC flap; it returns after loop_hold",
        _ => null,
    };
}
