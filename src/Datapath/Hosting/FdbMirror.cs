// Keeps the XDP fast path's BPF maps in step with the FDB and the port table, from the host's
// once-a-second tick: never from a poll loop. Design: the tick diffs a snapshot of the FDB against
// what it last wrote (a shadow dictionary), writing only what was learned, moved, added or re-pointed
// and deleting what aged, was flushed or removed. A learn-event ring from the loops would cost the hot
// path a write per new station and still need this diff to catch flushes (O(1) generation bumps that
// touch no entry) and ageing; the diff costs the control thread one more O(table) copy per second,
// which the ager's sweep already pays. A new station enters the fast path within a tick; until then
// its frames take the poll loop, which is always correct.
// Stamps: the program refreshes an entry's LastSeen in the map when its station sends through the fast
// path; before the ager runs, Refresh copies newer stamps back into the FDB for the entries that are
// half-way to ageing out (one map read each), so a station that only talks through the kernel stays.
// Ports: a port forwards in the kernel (frames from it may be redirected) while it is attached and up, and
// is a redirect target only while its egress is also confirmed (maps.Open). A poll loop that shuts a port
// closes it in the map the same instant (ClosedByLoop); the next sync writes what holds then.
// Policy: the entries of a failed port (taken down by the control plane, an errno or a policy) are left
// out of the map, so nothing from or to a disabled port is redirected; each entry carries its port's isolated flag,
// which the program checks on both ends. DatapathHost syncs at once after a policy change.
// Drains: the sync also writes off the frames a port's program handed to user space that never arrived
// (FastPathMaps.SettleDrains), which would keep that port out of the fast path.
// One caller at a time: DatapathHost's control lock.
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Xdp;

namespace FastBridge.Datapath.Hosting;

/// <summary>What the control plane knows of a port for the fast path: its interface, and whether the kernel may redirect to it.</summary>
public readonly record struct FastPathPort(int IfIndex, bool Egress);

internal sealed class FdbMirror
{
    private readonly FdbTable _fdb;
    private readonly FastPathMaps _maps;
    private readonly List<FdbEntry> _snapshot = [];
    private readonly Dictionary<ulong, (int Port, int IfIndex, uint Flags, int Sync)> _mirrored = [];
    private readonly List<ulong> _gone = [];
    private readonly List<FdbEntry> _changed = [];
    private readonly FastPathPort[] _ports;
    private readonly (int MaxTagged, int MaxUntagged)[] _limits;
    private readonly PortGate[] _gates;
    private readonly int[] _closedByLoop;
    private int _sync;

    public FdbMirror(FdbTable fdb, FastPathMaps maps, int maxPorts)
    {
        _fdb = fdb;
        _maps = maps;
        _ports = new FastPathPort[maxPorts];
        _limits = new (int, int)[maxPorts];
        _gates = new PortGate[maxPorts];
        _closedByLoop = new int[maxPorts];
    }

    public FastPathMaps Maps => _maps;

    /// <summary>Entries in the map now.</summary>
    public int Count => _mirrored.Count;

    /// <summary>A port's handles are in the loops: its entries go to the map from the next sync, and it may become a target.</summary>
    public void Attached(int port, FastPathPort fastPath, int maxTagged, int maxUntagged)
    {
        _ports[port] = fastPath;
        _limits[port] = (maxTagged, maxUntagged);
    }

    /// <summary>A port leaves the loops: no redirect to it from now on; its entries leave the map at the next sync.</summary>
    public void Detached(int port)
    {
        _ports[port] = default;
        if (_gates[port] != PortGate.Closed)
        {
            _maps.Close(port);
            _gates[port] = PortGate.Closed;
        }
    }

    /// <summary>
    /// A poll loop marked the port failed (PortStates.MarkDown): nothing from or to it crosses in the kernel from now
    /// on. Any thread; the next sync writes the port again from what holds then.
    /// </summary>
    public void ClosedByLoop(int port)
    {
        _maps.Close(port);
        Volatile.Write(ref _closedByLoop[port], 1);
    }

    public FastPathPort Port(int port) => _ports[port];

    /// <summary>Whether the kernel may redirect to an attached port changed (its peer's GRO); the next sync confirms or withdraws it.</summary>
    public void SetEgress(int port, bool egress)
    {
        if (_ports[port].IfIndex != 0)
        {
            _ports[port] = _ports[port] with { Egress = egress };
        }
    }

    /// <summary>Whether the kernel redirects to <paramref name="port"/> now.</summary>
    public bool IsTarget(int port) => _gates[port] == PortGate.Target && Volatile.Read(ref _closedByLoop[port]) == 0;

    /// <summary>Before the ager: stamps the fast path wrote, copied into the FDB for entries at least half their ageing time old.</summary>
    public void Refresh(uint now, uint ageingTime)
    {
        _fdb.CopyTo(_snapshot);
        foreach (FdbEntry entry in _snapshot)
        {
            if (entry.IsStatic || (long)(now - entry.LastSeen) * 2 < ageingTime || !_mirrored.ContainsKey(entry.Key))
            {
                continue;
            }
            if (_maps.TryRead(entry.Key, out FastPathEntry seen) && seen.Port == entry.Port && (int)(seen.LastSeen - entry.LastSeen) > 0)
            {
                _fdb.Touch(entry.Key, entry.Port, seen.LastSeen);
            }
        }
    }

    /// <summary>
    /// After the ager: the map made equal to the FDB's entries on attached ports that have not failed, each with its
    /// port's flags from <paramref name="policy"/>, and the targets to the confirmed ports that are up. Ports a mirror
    /// names (<paramref name="mirrors"/>) are left out both ways: the copies are made by the poll loops, which a frame
    /// crossing in the kernel never meets.
    /// </summary>
    public void Sync(PortStates states, PortPolicyTable policy, MirrorTable? mirrors)
    {
        _maps.SettleDrains();
        for (int port = 0; port < _ports.Length; port++)
        {
            SyncGate(port, states, mirrors?.Names(port) ?? false);
        }
        _sync++;
        _fdb.CopyTo(_snapshot);
        _changed.Clear();
        foreach (FdbEntry entry in _snapshot)
        {
            int ifIndex = _ports[entry.Port].IfIndex;
            if (ifIndex == 0 || states.IsFailed(entry.Port) || (mirrors?.Names(entry.Port) ?? false))
            {
                continue; // not attached, not forwarding, or mirrored: left out, so deleted below if it was in
            }
            uint flags = policy.IsIsolated(entry.Port) ? FastPathEntryFlags.Isolated : 0;
            bool same = _mirrored.TryGetValue(entry.Key, out var was) && was.Port == entry.Port && was.IfIndex == ifIndex && was.Flags == flags;
            _mirrored[entry.Key] = (entry.Port, ifIndex, flags, _sync);
            if (!same)
            {
                _changed.Add(new FdbEntry(entry.Key, entry.Port, entry.IsStatic, entry.LastSeen));
            }
        }
        // Deletes before writes, so a map bounded by --fdb-max has room for what the FDB holds now.
        _gone.Clear();
        foreach ((ulong key, var was) in _mirrored)
        {
            if (was.Sync != _sync)
            {
                _gone.Add(key);
            }
        }
        foreach (ulong key in _gone)
        {
            _maps.Delete(key);
            _mirrored.Remove(key);
        }
        foreach (FdbEntry entry in _changed)
        {
            var value = new FastPathEntry { Port = (uint)entry.Port, IfIndex = (uint)_ports[entry.Port].IfIndex, LastSeen = entry.LastSeen, Flags = _mirrored[entry.Key].Flags };
            if (!_maps.Write(entry.Key, value))
            {
                // Never leave an older port behind: without an entry the program hands the frames to the poll loop.
                _maps.Delete(entry.Key);
                _mirrored.Remove(entry.Key);
            }
        }
    }

    /// <summary>
    /// The port's entry in the port array made what holds now: closed unless attached and up; a target only with its
    /// egress confirmed and no mirror naming it. Written again after a poll loop closed it. A loop that shuts the port
    /// while this writes it is caught by reading the state again after the write.
    /// </summary>
    private void SyncGate(int port, PortStates states, bool mirrored)
    {
        bool forwarding = _ports[port].IfIndex != 0 && states.IsUp(port);
        PortGate gate = !forwarding ? PortGate.Closed : _ports[port].Egress && !mirrored ? PortGate.Target : PortGate.Ingress;
        bool reopen = Interlocked.Exchange(ref _closedByLoop[port], 0) != 0;
        if (gate == _gates[port] && !reopen)
        {
            return;
        }
        if (gate == PortGate.Closed)
        {
            _maps.Close(port);
        }
        else if (!_maps.Open(port, gate == PortGate.Target ? _ports[port].IfIndex : 0, _limits[port].MaxTagged, _limits[port].MaxUntagged))
        {
            gate = PortGate.Ingress; // the kernel refused the ifindex: forwarding, but no target
        }
        if (gate != PortGate.Closed && !states.IsUp(port))
        {
            _maps.Close(port);
            gate = PortGate.Closed;
        }
        _gates[port] = gate;
    }

    /// <summary>What a port's entry in the port array says now.</summary>
    private enum PortGate : byte
    {
        Closed,

        /// <summary>Frames from it may be redirected; none to it (its peer takes no redirects, or a mirror names it).</summary>
        Ingress,

        Target,
    }
}
