// The per-port flags of one port table, and what follows from them, worked out once when the table is
// built (a port added or removed, a flag changed) and never per frame: for each flood class, the present
// ports whose flag lets that class out. Immutable, published with its PortSet in the same reference swap,
// so a burst sees one set of flags throughout. IsDefault (every present port has the default flags) lets
// the forwarder keep its plain path, so flags cost nothing until a port has one set.
namespace FastBridge.Datapath.Forwarding;

public sealed class PortPolicyTable
{
    private readonly PortFlags[] _flags;
    private readonly int[][] _floodTargets;

    /// <param name="flags">Flags by port id (absent ids included, so a detached port keeps its flags); not copied, never changed.</param>
    /// <param name="presentIds">The table's present port ids, ascending.</param>
    private PortPolicyTable(PortFlags[] flags, int[] presentIds)
    {
        _flags = flags;
        _floodTargets = new int[3][];
        foreach (FloodClass kind in (FloodClass[])[FloodClass.UnknownUnicast, FloodClass.Multicast, FloodClass.Broadcast])
        {
            PortFlags needed = PortFlagNames.For(kind);
            _floodTargets[(int)kind] = [.. presentIds.Where(id => (flags[id] & needed) != 0)];
        }
        IsDefault = presentIds.All(id => flags[id] == PortFlags.Default);
    }

    /// <summary>Every port with the default flags: the forwarder's plain path applies.</summary>
    public bool IsDefault { get; }

    public static PortPolicyTable Default(int capacity) => new(Enumerable.Repeat(PortFlags.Default, capacity).ToArray(), []);

    public PortFlags Flags(int id) => _flags[id];

    public bool Learns(int id) => (_flags[id] & PortFlags.Learning) != 0;

    public bool IsIsolated(int id) => (_flags[id] & PortFlags.Isolated) != 0;

    public bool IsHairpin(int id) => (_flags[id] & PortFlags.Hairpin) != 0;

    /// <summary>
    /// Whether a frame from <paramref name="ingress"/> may leave by <paramref name="egress"/> (br_forward.c's
    /// should_deliver): not back where it came from unless hairpin, never between two isolated ports.
    /// </summary>
    public bool MayDeliver(int ingress, int egress) =>
        (egress != ingress || IsHairpin(egress)) && !(IsIsolated(ingress) && IsIsolated(egress));

    /// <summary>The present ports whose flag lets a flooded frame of <paramref name="kind"/> out, ascending.</summary>
    public ReadOnlySpan<int> FloodTargets(FloodClass kind) => _floodTargets[(int)kind];

    /// <summary>The same flags over another set of present ports (a port added or removed).</summary>
    internal PortPolicyTable Over(int[] presentIds) => new(_flags, presentIds);

    /// <summary>New flags with <paramref name="id"/>'s set to <paramref name="flags"/>, for a PortSet to lay Over its ports; this one is unchanged.</summary>
    internal PortPolicyTable With(int id, PortFlags flags)
    {
        var copy = (PortFlags[])_flags.Clone();
        copy[id] = flags;
        return new PortPolicyTable(copy, []);
    }
}
