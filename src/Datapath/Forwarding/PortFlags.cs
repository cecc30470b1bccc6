// A port's forwarding flags, named and defaulted as the Linux bridge's (`bridge link set dev X learning
// off flood off mcast_flood off bcast_flood off isolated on hairpin on`), with the same meaning: learning
// is read on ingress; flood, mcast_flood and bcast_flood on egress, each for its class of flooded frame;
// isolated on both ends (an isolated port never sends to another isolated port); hairpin on egress (a
// frame may leave by the port it came in on). The names here are the only spelling the CLI, the API and
// the config accept. bpdu_guard is FastBridge's own (loop protection, as on hardware switches).
namespace FastBridge.Datapath.Forwarding;

[Flags]
public enum PortFlags : byte
{
    None = 0,

    /// <summary>Sources received on the port are learned (br_input.c: BR_LEARNING).</summary>
    Learning = 1,

    /// <summary>Unknown unicast is flooded out of the port (BR_FLOOD).</summary>
    Flood = 2,

    /// <summary>Multicast, forwarded link-local groups included, is flooded out of the port (BR_MCAST_FLOOD).</summary>
    McastFlood = 4,

    /// <summary>Broadcast is flooded out of the port (BR_BCAST_FLOOD).</summary>
    BcastFlood = 8,

    /// <summary>Frames between two isolated ports are never forwarded (BR_ISOLATED).</summary>
    Isolated = 16,

    /// <summary>A frame may leave by its ingress port (BR_HAIRPIN_MODE).</summary>
    Hairpin = 32,

    /// <summary>An STP BPDU received on the port takes the port out of forwarding (BPDU guard; not a Linux bridge flag).</summary>
    BpduGuard = 64,

    /// <summary>A new port's flags, as a new Linux bridge port's.</summary>
    Default = Learning | Flood | McastFlood | BcastFlood,
}

/// <summary>Which of a port's flood flags a flooded frame needs on its egress port.</summary>
public enum FloodClass
{
    UnknownUnicast,
    Multicast,
    Broadcast,
}

public static class PortFlagNames
{
    /// <summary>Every flag by its `bridge link set` name, in the order `port show` prints them.</summary>
    public static IReadOnlyList<(string Name, PortFlags Flag)> All { get; } =
    [
        ("learning", PortFlags.Learning), ("flood", PortFlags.Flood), ("mcast_flood", PortFlags.McastFlood),
        ("bcast_flood", PortFlags.BcastFlood), ("isolated", PortFlags.Isolated), ("hairpin", PortFlags.Hairpin),
        ("bpdu_guard", PortFlags.BpduGuard),
    ];

    /// <summary>The flag named <paramref name="name"/>, or None for a name that is not one.</summary>
    public static PortFlags Parse(string name)
    {
        foreach ((string known, PortFlags flag) in All)
        {
            if (string.Equals(known, name, StringComparison.Ordinal))
            {
                return flag;
            }
        }
        return PortFlags.None;
    }

    /// <summary>
    /// <paramref name="flags"/> with each named flag turned on or off; false, naming the first name that is
    /// no flag in <paramref name="unknown"/>, when one is not.
    /// </summary>
    public static bool TryApply(PortFlags flags, IEnumerable<KeyValuePair<string, bool>> changes, out PortFlags result, out string? unknown)
    {
        result = flags;
        foreach ((string name, bool on) in changes)
        {
            PortFlags flag = Parse(name);
            if (flag == PortFlags.None)
            {
                unknown = name;
                return false;
            }
            result = on ? result | flag : result & ~flag;
        }
        unknown = null;
        return true;
    }

    /// <summary>"learning on flood off ...", every flag, as `port show` prints them.</summary>
    public static string Format(PortFlags flags) =>
        string.Join(' ', All.Select(f => $"{f.Name} {((flags & f.Flag) != 0 ? "on" : "off")}"));

    public static string Known => string.Join(", ", All.Select(f => f.Name));

    /// <summary>The flag a flooded frame of <paramref name="kind"/> needs on its egress port.</summary>
    public static PortFlags For(FloodClass kind) => kind switch
    {
        FloodClass.UnknownUnicast => PortFlags.Flood,
        FloodClass.Multicast => PortFlags.McastFlood,
        _ => PortFlags.BcastFlood,
    };
}
