// The per-port policies of one port table (PortPolicy: flags, MAC limit), and what follows from them,
// worked out once when the table is built (a port added or removed, a policy changed) and never per
// frame: for each flood class, the present ports whose flag lets that class out. Immutable, published
// with its PortSet in the same reference swap, so a burst sees one set of policies throughout.
// IsDefault (every present port has the default policy) lets the forwarder keep its plain path, so
// policies cost nothing until a port has one set.
namespace FastBridge.Datapath.Forwarding;

public sealed class PortPolicyTable
{
    private readonly PortPolicy[] _policies;
    private readonly int[][] _floodTargets;

    /// <param name="policies">Policies by port id (absent ids included, so a detached port keeps its own); not copied, never changed.</param>
    /// <param name="presentIds">The table's present port ids, ascending.</param>
    private PortPolicyTable(PortPolicy[] policies, int[] presentIds)
    {
        _policies = policies;
        _floodTargets = new int[3][];
        foreach (FloodClass kind in (FloodClass[])[FloodClass.UnknownUnicast, FloodClass.Multicast, FloodClass.Broadcast])
        {
            PortFlags needed = PortFlagNames.For(kind);
            _floodTargets[(int)kind] = [.. presentIds.Where(id => (policies[id].Flags & needed) != 0)];
        }
        IsDefault = presentIds.All(id => policies[id] == PortPolicy.Default);
    }

    /// <summary>Every present port has the default policy: the forwarder's plain path applies.</summary>
    public bool IsDefault { get; }

    public static PortPolicyTable Default(int capacity) => new(Enumerable.Repeat(PortPolicy.Default, capacity).ToArray(), []);

    public PortPolicy Of(int id) => _policies[id];

    public bool Learns(int id) => (_policies[id].Flags & PortFlags.Learning) != 0;

    /// <summary>Whether new sources on the port need room under its MAC limit (LearnAllowances).</summary>
    public bool LimitsLearning(int id) => _policies[id].MaxLearned > 0;

    public bool IsIsolated(int id) => (_policies[id].Flags & PortFlags.Isolated) != 0;

    public bool IsHairpin(int id) => (_policies[id].Flags & PortFlags.Hairpin) != 0;

    /// <summary>
    /// Whether a frame from <paramref name="ingress"/> may leave by <paramref name="egress"/> (br_forward.c's
    /// should_deliver): not back where it came from unless hairpin, never between two isolated ports.
    /// </summary>
    public bool MayDeliver(int ingress, int egress) =>
        (egress != ingress || IsHairpin(egress)) && !(IsIsolated(ingress) && IsIsolated(egress));

    /// <summary>The present ports whose flag lets a flooded frame of <paramref name="kind"/> out, ascending.</summary>
    public ReadOnlySpan<int> FloodTargets(FloodClass kind) => _floodTargets[(int)kind];

    /// <summary>The same policies over another set of present ports (a port added or removed).</summary>
    internal PortPolicyTable Over(int[] presentIds) => new(_policies, presentIds);

    /// <summary>New policies with <paramref name="id"/>'s replaced, for a PortSet to lay Over its ports; this one is unchanged.</summary>
    internal PortPolicyTable With(int id, PortPolicy policy)
    {
        var copy = (PortPolicy[])_policies.Clone();
        copy[id] = policy;
        return new PortPolicyTable(copy, []);
    }
}
