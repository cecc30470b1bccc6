// One poll loop's port table, indexed by port id: its own backend handle per port, plus the up/down
// state that all loops share. The table is immutable: the control plane adds or removes a port by
// building a new table and publishing it to the loop in one reference swap (PollLoop.Publish), the
// RCU way; the loop picks the new table up at the start of its next iteration and never locks.
// Port ids are stable and below a fixed capacity, so per-port counters keep their index for life.
using FastBridge.Datapath.Frames;
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Ports;
using Tmds.Linux;

namespace FastBridge.Datapath.Forwarding;

/// <summary>What the control plane knows of a port's interface (from rtnetlink); only Up forwards.</summary>
public enum PortLink
{
    Up,

    /// <summary>Administratively up, but no carrier (a pulled cable, a veth whose peer is down).</summary>
    NoCarrier,

    /// <summary>Set down (ip link set IF down).</summary>
    AdminDown,

    /// <summary>The interface is gone; the port waits for one of its name to come back.</summary>
    Vanished,
}

/// <summary>
/// The state of every port id, shared by all poll loops and the control plane: the link as the control
/// plane last saw it, and a failure a poll loop met on its socket (an errno). A port forwards only while
/// its link is Up and no failure is marked; the control plane clears a failure once the link is back.
/// </summary>
public sealed class PortStates
{
    private readonly int[] _down;
    private readonly int[] _errno;
    private readonly int[] _link;

    public PortStates(int capacity)
    {
        Learning = new LearnAllowances(capacity);
        _down = new int[capacity];
        _errno = new int[capacity];
        _link = new int[capacity];
    }

    /// <summary>Room left under each port's MAC limit, shared as the states are.</summary>
    public LearnAllowances Learning { get; }

    public bool IsUp(int port) => Volatile.Read(ref _down[port]) == 0 && Volatile.Read(ref _link[port]) == (int)PortLink.Up;

    /// <summary>Whether a poll loop (or the control plane, errno 0) marked the port failed.</summary>
    public bool IsFailed(int port) => Volatile.Read(ref _down[port]) != 0;

    /// <summary>Why the port failed: a positive errno, 0 if the control plane took it down, below 0 a port policy (PolicyShutdown).</summary>
    public int Errno(int port) => Volatile.Read(ref _errno[port]);

    public PortLink Link(int port) => (PortLink)Volatile.Read(ref _link[port]);

    /// <summary>
    /// Told the port id when a port is first marked failed, on the marking thread (often a poll loop): the XDP fast
    /// path closes the port in the kernel at once with it. Set by the control plane before the loops start.
    /// </summary>
    public Action<int>? Failed { get; set; }

    /// <summary>Marks a port failed; true for the caller that marked it first.</summary>
    public bool MarkDown(int port, int errno)
    {
        Volatile.Write(ref _errno[port], errno);
        if (Interlocked.Exchange(ref _down[port], 1) != 0)
        {
            return false;
        }
        Failed?.Invoke(port);
        return true;
    }

    /// <summary>Clears a failure (its cause, the link going down, has passed); true if there was one.</summary>
    public bool ClearFailure(int port)
    {
        bool was = Interlocked.Exchange(ref _down[port], 0) != 0;
        Volatile.Write(ref _errno[port], 0);
        return was;
    }

    /// <summary>Records what rtnetlink says of the port's interface; returns the previous value.</summary>
    public PortLink SetLink(int port, PortLink link) => (PortLink)Interlocked.Exchange(ref _link[port], (int)link);

    /// <summary>Up, with no failure, before a port id is published (a port added, or re-added under its old id).</summary>
    public void Reset(int port)
    {
        Volatile.Write(ref _errno[port], 0);
        Volatile.Write(ref _down[port], 0);
        Volatile.Write(ref _link[port], (int)PortLink.Up);
    }
}

public sealed class PortSet
{
    private readonly IPort?[] _byId;
    private readonly int[] _ids;
    private readonly int[] _maxFrameLength;
    private readonly int[] _maxUntaggedFrameLength;
    // FitsVlanEgress's bound for untagged frames, worked out per table: a Math.Min per frame showed in the VLAN-aware path.
    private readonly int[] _maxVlanUntaggedFrameLength;
    private readonly PortStates _states;

    /// <summary>Ports 0..n-1, capacity n: the fixed tables of tests and benchmarks.</summary>
    public PortSet(IPort[] ports, PortStates states)
        : this(states, [.. ports], PortPolicyTable.Default(ports.Length))
    {
    }

    private PortSet(PortStates states, IPort?[] byId, PortPolicyTable policy)
    {
        _states = states;
        _byId = byId;
        _maxFrameLength = new int[byId.Length];
        _maxUntaggedFrameLength = new int[byId.Length];
        _maxVlanUntaggedFrameLength = new int[byId.Length];
        var ids = new List<int>();
        for (int id = 0; id < byId.Length; id++)
        {
            if (byId[id] is { } port)
            {
                ids.Add(id);
                _maxFrameLength[id] = port.MaxFrameLength;
                _maxUntaggedFrameLength[id] = port.MaxUntaggedFrameLength;
                _maxVlanUntaggedFrameLength[id] = Math.Min(port.MaxUntaggedFrameLength, port.MaxFrameLength - VlanTag.Length);
            }
        }
        _ids = [.. ids];
        Policy = policy.Over(_ids);
        PollFds = new pollfd[_ids.Length];
        PollPorts = new int[_ids.Length];
    }

    /// <summary>A table derived from <paramref name="from"/>: these ports and policies, and what else <paramref name="from"/> published (VLANs, mirrors).</summary>
    private PortSet(PortSet from, IPort?[] byId, PortPolicyTable policy)
        : this(from._states, byId, policy)
    {
        Vlans = from.Vlans;
        Mirrors = from.Mirrors;
    }

    /// <summary>An empty table for port ids below <paramref name="capacity"/>.</summary>
    public static PortSet Empty(int capacity, PortStates states) => new(states, new IPort?[capacity], PortPolicyTable.Default(capacity));

    /// <summary>How many ports are present.</summary>
    public int Count => _ids.Length;

    /// <summary>Highest port id + 1 that counters and transmit lists must hold; the same for every table of a bridge.</summary>
    public int Capacity => _byId.Length;

    public PortStates States => _states;

    /// <summary>The ports' policies and the flood lists that follow from them (PortPolicyTable.cs).</summary>
    public PortPolicyTable Policy { get; }

    /// <summary>The id of the <paramref name="index"/>-th present port, ascending.</summary>
    public int IdAt(int index) => _ids[index];

    public bool Contains(int id) => (uint)id < (uint)_byId.Length && _byId[id] is not null;

    public IPort Port(int id) => _byId[id]!;

    /// <summary>Whether port <paramref name="id"/> can send <paramref name="frame"/> (its size rule, read once when the table was built).</summary>
    public bool Fits(int id, in FrameRef frame) => frame.Fits(_maxFrameLength[id], _maxUntaggedFrameLength[id]);

    /// <summary>
    /// Fits for a VLAN-aware bridge, whose frames leave with the egress port's tag already in metadata: the 4 bytes
    /// over MTU + Ethernet header are for a tagged frame only.
    /// </summary>
    public bool FitsVlanEgress(int id, in FrameRef frame) =>
        frame.Fits(_maxFrameLength[id], _maxVlanUntaggedFrameLength[id]);

    /// <summary>VLAN membership while the bridge is VLAN-aware, published with the table; null while it is not.</summary>
    public VlanMembership? Vlans { get; private init; }

    /// <summary>A new table with <paramref name="vlans"/> as its VLAN membership; this one is unchanged.</summary>
    public PortSet WithVlans(VlanMembership? vlans) => ReferenceEquals(vlans, Vlans) ? this : new(this, _byId, Policy) { Vlans = vlans };

    /// <summary>Port mirrors (MirrorTable.cs), published with the table; null while none is set.</summary>
    public MirrorTable? Mirrors { get; private init; }

    /// <summary>A new table with <paramref name="mirrors"/> as its mirrors; this one is unchanged.</summary>
    public PortSet WithMirrors(MirrorTable? mirrors) => new(this, _byId, Policy) { Mirrors = mirrors };

    /// <summary>
    /// Present, not marked down and no mirror's destination: the ports forwarding may send to. An absent id (a
    /// removed port still in the FDB) is never up; a mirror destination is still read (States.IsUp), to drop what it receives.
    /// </summary>
    public bool IsUp(int id) => Contains(id) && _states.IsUp(id) && Mirrors?.IsDestination(id) != true;

    /// <summary>Scratch for the owning loop's blocking wait, one slot per present port, allocated with the table.</summary>
    internal pollfd[] PollFds { get; }

    internal int[] PollPorts { get; }

    /// <summary>A new table with <paramref name="port"/> at <paramref name="id"/>; this one is unchanged.</summary>
    public PortSet With(int id, IPort port)
    {
        if (Contains(id))
        {
            throw new InvalidOperationException($"port id {id} is already in the table");
        }
        var byId = (IPort?[])_byId.Clone();
        byId[id] = port;
        return new PortSet(this, byId, Policy);
    }

    /// <summary>A new table without <paramref name="id"/>; this one is unchanged.</summary>
    public PortSet Without(int id)
    {
        if (!Contains(id))
        {
            return this;
        }
        var byId = (IPort?[])_byId.Clone();
        byId[id] = null;
        return new PortSet(this, byId, Policy);
    }

    /// <summary>A new table with port <paramref name="id"/>'s policy replaced (present or not); this one is unchanged.</summary>
    public PortSet WithPolicy(int id, PortPolicy policy) => new(this, _byId, Policy.With(id, policy));
}
