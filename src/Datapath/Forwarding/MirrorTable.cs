// Port mirroring (SPAN): which ports' frames are copied to which destination port. Immutable, built by
// the control plane (DatapathHost.Mirrors.cs) when a mirror is added or removed and published with its
// PortSet in the same reference swap, so a burst sees one set of mirrors throughout. Everything the
// forwarder asks per burst is an array read: the mirrors a port's received (Rx) or sent (Tx) frames
// go to, and whether a port is a destination (which then takes no part in forwarding: PortSet.IsUp).
namespace FastBridge.Datapath.Forwarding;

/// <summary>Which of a source port's frames a mirror copies.</summary>
[Flags]
public enum MirrorDirection
{
    /// <summary>Frames received on the source port, as received.</summary>
    Rx = 1,

    /// <summary>Frames the forwarder sends out of the source port, with their egress tag.</summary>
    Tx = 2,

    Both = Rx | Tx,
}

/// <summary>One mirror: copies of its sources' frames in <paramref name="Direction"/> go to port <paramref name="Destination"/>.</summary>
public sealed record Mirror(string Name, IReadOnlyList<int> Sources, MirrorDirection Direction, int Destination);

public sealed class MirrorTable
{
    private readonly int[][] _rxDestinations;
    private readonly int[][] _txDestinations;
    private readonly bool[] _isDestination;

    private MirrorTable(IReadOnlyList<Mirror> mirrors, int capacity)
    {
        All = mirrors;
        _isDestination = new bool[capacity];
        var rx = new List<int>[capacity];
        var tx = new List<int>[capacity];
        foreach (Mirror mirror in mirrors)
        {
            _isDestination[mirror.Destination] = true;
            foreach (int source in mirror.Sources)
            {
                if ((mirror.Direction & MirrorDirection.Rx) != 0)
                {
                    (rx[source] ??= []).Add(mirror.Destination);
                }
                if ((mirror.Direction & MirrorDirection.Tx) != 0)
                {
                    (tx[source] ??= []).Add(mirror.Destination);
                }
            }
        }
        _rxDestinations = [.. rx.Select(list => list is null ? [] : list.ToArray())];
        _txDestinations = [.. tx.Select(list => list is null ? [] : list.ToArray())];
    }

    /// <summary>A table of <paramref name="mirrors"/>, or null (what PortSet holds while none is set) for none.</summary>
    public static MirrorTable? Of(IReadOnlyList<Mirror> mirrors, int capacity) => mirrors.Count == 0 ? null : new(mirrors, capacity);

    public IReadOnlyList<Mirror> All { get; }

    /// <summary>Destination ports of the frames received on <paramref name="port"/>; empty if none.</summary>
    public ReadOnlySpan<int> RxDestinations(int port) => _rxDestinations[port];

    /// <summary>Destination ports of the frames sent out of <paramref name="port"/>; empty if none.</summary>
    public ReadOnlySpan<int> TxDestinations(int port) => _txDestinations[port];

    public bool IsDestination(int port) => _isDestination[port];

    /// <summary>Whether a mirror names <paramref name="port"/>, as a source or the destination: every frame it takes or sends must meet the poll loop.</summary>
    public bool Names(int port) => _isDestination[port] || _rxDestinations[port].Length > 0 || _txDestinations[port].Length > 0;
}
