// The XDP fast path as the datapath host sees it: the FDB mirrored into the BPF maps from the
// housekeeping tick (FdbMirror), a port's entries, VLAN rules (FastPathVlanMirror) and redirect target
// following its handles in and out of the loops, and the fast path's counters folded into each port's.
// Off (no mirror) unless the control plane enables it before Start. Control-plane threads only, under the host's control lock.
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Ports;
using FastBridge.Datapath.Xdp;

namespace FastBridge.Datapath.Hosting;

public sealed partial class DatapathHost
{
    private FdbMirror? _mirror;
    private FastPathVlanMirror? _vlanMirror;
    private Func<string, FastPathPort>? _fastPathPort;

    /// <summary>The fast path's maps, or null without a fast path.</summary>
    public FastPathMaps? FastPathMaps => _mirror?.Maps;

    /// <summary>Whether the fast path runs: its maps are mirrored from this host.</summary>
    public bool FastPathEnabled => _mirror is not null;

    /// <summary>
    /// Mirrors the FDB into <paramref name="maps"/> from now on; <paramref name="fastPathPort"/> tells, for a port's
    /// interface name, its ifindex and whether the kernel may redirect to it. Ports already present are mirrored too.
    /// </summary>
    public void EnableFastPath(FastPathMaps maps, Func<string, FastPathPort> fastPathPort)
    {
        ArgumentNullException.ThrowIfNull(maps);
        if (maps.VlanTpid != (_vlans?.Tpid ?? 0))
        {
            throw new ArgumentException($"the fast path's maps classify by TPID 0x{maps.VlanTpid:x4}, the bridge by 0x{_vlans?.Tpid ?? 0:x4}");
        }
        lock (_control)
        {
            _fastPathPort = fastPathPort;
            _mirror = new FdbMirror(Fdb, maps, _maxPorts);
            States.Failed = _mirror.ClosedByLoop;
            _vlanMirror = _vlans is null ? null : new FastPathVlanMirror(maps, _maxPorts);
            for (int id = 0; id < _names.Length; id++)
            {
                if (_attached[id])
                {
                    MirrorAttached(id, _loops[0].Ports.Port(id));
                }
            }
            SyncMirror();
        }
    }

    /// <summary>Whether the kernel redirects frames to the port now (confirmed, attached and up at the last tick).</summary>
    public bool IsFastPathTarget(int id) => _mirror is { } mirror && (uint)id < (uint)_maxPorts && mirror.IsTarget(id);

    /// <summary>Writes the FDB to the maps now instead of at the next tick (after fdb commands, and tests).</summary>
    public void SyncFastPath()
    {
        lock (_control)
        {
            SyncMirror();
        }
    }

    /// <summary>Whether the kernel may redirect to a port, as the control plane found again: it becomes a target, or stops being one, now.</summary>
    public void SetFastPathEgress(int id, bool egress)
    {
        lock (_control)
        {
            _mirror?.SetEgress(id, egress);
            SyncMirror();
        }
    }

    /// <summary>Frames and bytes the fast path moved for a port, or zeros without a fast path.</summary>
    public FastPathCounters FastPathCounts(int id) => _mirror?.Maps.ReadCounters(id) ?? default;

    private void MirrorAttached(int id, IPort handle)
    {
        if (_mirror is null)
        {
            return;
        }
        FastPathPort port = _fastPathPort!(_names[id]);
        _mirror.Attached(id, port, handle.MaxFrameLength, handle.MaxUntaggedFrameLength);
        _vlanMirror?.Attached(id, port.IfIndex, _vlans!);
    }

    private void MirrorDetached(int id)
    {
        _mirror?.Detached(id);
        _vlanMirror?.Detached(id);
    }

    /// <summary>A membership about to be published, written to the fast path's VLAN map first.</summary>
    private void MirrorVlans(VlanMembership vlans) => _vlanMirror?.Changed(vlans);

    private void MirrorBeforeAgeing(uint now) => _mirror?.Refresh(now, AgeingTimeSeconds);

    private void MirrorAfterAgeing() => SyncMirror();

    /// <summary>The maps made equal to the FDB, the ports' states and their policies now. Under the control lock.</summary>
    private void SyncMirror() => _mirror?.Sync(States, _loops[0].Ports.Policy, _loops[0].Ports.Mirrors);

    /// <summary>Adds what the fast path moved for a port to the poll loops' sums for it: no frame crosses uncounted.</summary>
    internal static void AddFastPath(ref PortCounters sum, in FastPathCounters fast)
    {
        sum.RxPackets += fast.RxPackets;
        sum.RxBytes += fast.RxBytes;
        sum.TxPackets += fast.TxPackets;
        sum.TxBytes += fast.TxBytes;
    }
}
