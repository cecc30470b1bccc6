// The BPF maps the XDP fast path shares between every port's program and the control plane.
// The process owns them by fd only (nothing is pinned), so they go with it, even on kill -9:
//   fdb      ARRAY of groups, mapped into the process: an open-addressed table FdbKey -> FastPathEntry
//            (FastPathMaps.Fdb.cs), the FDB's entries, mirrored by FdbMirror; the program refreshes
//            LastSeen, the mirror reads it back so fast-path stations do not age.
//   ports    ARRAY  port id -> FastPathPortState: whether the port forwards (frames from it may be
//            redirected) and the longest frames it takes as a redirect target (0 = not a target).
//   egress   DEVMAP port id -> ifindex: the confirmed egress ports bpf_redirect_map sends to (an array:
//            the redirect indexes it, where a DEVMAP_HASH hashes the id and walks a bucket).
//   counters PERCPU_ARRAY port id -> FastPathCounters: what the fast path forwarded, per CPU.
//   drains   ARRAY of one entry, mapped into the process: per attachment, how many of its port's frames
//            wait in user space, so a flow the fast path takes over stays in order (FastPathMaps.Drains.cs).
//   vlans    HASH   ifindex -> FastPathVlans: a port's VLAN membership, on a VLAN-aware bridge only
//            (FastPathMaps.Vlans.cs).
// Control-plane threads, and a poll loop that shuts a port (Close); each call is one bpf(2) syscall, but
// the FDB table's and the drains', which are plain loads and stores in the mapped memory.
using System.Runtime.InteropServices;
using FastBridge.Datapath.Interop;
using Tmds.Linux;

namespace FastBridge.Datapath.Xdp;

/// <summary>One FDB entry as the fast-path program reads it (offsets are the program's: FastPathProgram).</summary>
[StructLayout(LayoutKind.Sequential, Size = 16)]
public struct FastPathEntry
{
    public uint Port;
    public uint IfIndex;

    /// <summary>FdbClock seconds (CLOCK_MONOTONIC_COARSE, which the program reads as bpf_ktime_get_coarse_ns / 1e9).</summary>
    public uint LastSeen;

    /// <summary>The entry's port's policy as the program reads it (FastPathEntryFlags).</summary>
    public uint Flags;
}

/// <summary>Bits of FastPathEntry.Flags: what the program must know of a port's policy to redirect only what it allows.</summary>
public static class FastPathEntryFlags
{
    /// <summary>The port is isolated: no redirect between two entries that both carry it (PortFlags.Isolated).</summary>
    public const uint Isolated = 1;
}

/// <summary>What the program knows of a port in the port array (offsets are the program's: FastPathProgram).</summary>
[StructLayout(LayoutKind.Sequential, Size = 12)]
public struct FastPathPortState
{
    /// <summary>Longest 802.1Q-tagged frame the port sends (IPort.MaxFrameLength); 0 while it is not a redirect target.</summary>
    public uint MaxTagged;

    /// <summary>Longest other frame (IPort.MaxUntaggedFrameLength).</summary>
    public uint MaxUntagged;

    /// <summary>1 while the port forwards: frames it receives may be redirected. 0 from the moment it is shut or fails.</summary>
    public uint Forwarding;
}

/// <summary>Frames and bytes the fast path took in on a port and sent out of it.</summary>
[StructLayout(LayoutKind.Sequential, Size = 32)]
public struct FastPathCounters
{
    public ulong RxPackets;
    public ulong RxBytes;
    public ulong TxPackets;
    public ulong TxBytes;
}

public sealed unsafe partial class FastPathMaps : IDisposable
{
    private readonly FastPathCounters[] _perCpu;
    private int[] _fds;

    private FastPathMaps(int[] fds, int maxPorts, ushort vlanTpid, int loops)
    {
        _fds = fds;
        MaxPorts = maxPorts;
        VlanTpid = vlanTpid;
        Loops = loops;
        _perCpu = new FastPathCounters[Bpf.PossibleCpus()];
    }

    public int MaxPorts { get; }

    internal int FdbFd => _fds[0];

    internal int PortsFd => _fds[1];

    internal int EgressFd => _fds[2];

    internal int CountersFd => _fds[3];

    /// <summary>
    /// Creates the maps: the FDB table sized for <paramref name="fdbMaxEntries"/> (--fdb-max; the FDB holds no more); with a
    /// <paramref name="vlanTpid"/> (the bridge's vlan_protocol), the VLAN map too, and the programs built on these
    /// maps are VLAN-aware (FastPathProgram). <paramref name="loops"/>: the poll loops, each of which reports the
    /// frames it forwarded to the programs (PortDrain). Throws naming the map and errno.
    /// </summary>
    public static FastPathMaps Create(int fdbMaxEntries, int maxPorts, ushort vlanTpid = 0, int loops = 1)
    {
        // A drain per attachment: a port's new attachment may be made before its old one is gone.
        int drains = 2 * maxPorts;
        int groupBits = GroupBitsFor(fdbMaxEntries);
        var specs = new List<(uint Type, uint Key, uint Value, uint Max, uint Flags, string Name)>
        {
            FdbSpec(groupBits),
            (Bpf.MapTypeArray, 4, (uint)sizeof(FastPathPortState), (uint)maxPorts, 0, "fb_ports"),
            (Bpf.MapTypeDevmap, 4, 4, (uint)maxPorts, 0, "fb_egress"),
            (Bpf.MapTypePercpuArray, 4, (uint)sizeof(FastPathCounters), (uint)maxPorts, 0, "fb_fast_counts"),
            DrainsSpec(drains, loops),
        };
        if (vlanTpid != 0)
        {
            specs.Add(VlansSpec(maxPorts));
        }
        var fds = new int[specs.Count];
        for (int i = 0; i < specs.Count; i++)
        {
            (uint type, uint key, uint value, uint max, uint flags, string name) = specs[i];
            fds[i] = Bpf.CreateMap(type, key, value, max, name, flags);
            if (fds[i] < 0)
            {
                int errno = -fds[i];
                CloseAll(fds.AsSpan(0, i));
                throw new InvalidOperationException($"cannot create the fast path's BPF map {name}: {LibcExtras.ErrnoText(errno)}");
            }
        }
        var maps = new FastPathMaps(fds, maxPorts, vlanTpid, loops);
        try
        {
            maps.MapFdb(groupBits);
            maps.MapDrains(drains);
        }
        catch
        {
            maps.Dispose();
            throw;
        }
        return maps;
    }

    /// <summary>
    /// The port forwards: frames it receives may be redirected, and when <paramref name="ifIndex"/> is not 0 it is a
    /// redirect target too (its ifindex in the DEVMAP, then its frame limits in the port array). False when the kernel
    /// refuses the ifindex (the interface is gone): then it is no target.
    /// </summary>
    public bool Open(int port, int ifIndex, int maxTagged, int maxUntagged)
    {
        uint key = (uint)port, target = (uint)ifIndex;
        var state = new FastPathPortState { Forwarding = 1 };
        bool targeted = ifIndex != 0 && Bpf.UpdateElem(EgressFd, &key, &target) == 0;
        if (targeted)
        {
            state.MaxTagged = (uint)maxTagged;
            state.MaxUntagged = (uint)maxUntagged;
        }
        bool written = Bpf.UpdateElem(PortsFd, &key, &state) == 0;
        if (!targeted)
        {
            Bpf.DeleteElem(EgressFd, &key);
        }
        return written && (targeted || ifIndex == 0);
    }

    /// <summary>
    /// Nothing from or to <paramref name="port"/> is redirected from the next frame on: its state zeroed first, then
    /// the DEVMAP entry removed. Also from a poll loop, the moment it shuts the port (one syscall, no lock).
    /// </summary>
    public void Close(int port)
    {
        uint key = (uint)port;
        FastPathPortState closed = default;
        Bpf.UpdateElem(PortsFd, &key, &closed);
        Bpf.DeleteElem(EgressFd, &key);
    }

    /// <summary>The fast path's counts for a port, summed over every CPU.</summary>
    public FastPathCounters ReadCounters(int port)
    {
        uint key = (uint)port;
        var sum = default(FastPathCounters);
        lock (_perCpu) // stats, the API and /metrics may read at once; the scratch is one
        {
            fixed (FastPathCounters* values = _perCpu)
            {
                if (Bpf.LookupElem(CountersFd, &key, values) != 0)
                {
                    return sum;
                }
            }
            foreach (FastPathCounters cpu in _perCpu)
            {
                sum.RxPackets += cpu.RxPackets;
                sum.RxBytes += cpu.RxBytes;
                sum.TxPackets += cpu.TxPackets;
                sum.TxBytes += cpu.TxBytes;
            }
        }
        return sum;
    }

    public void Dispose()
    {
        Unmap(ref _fdb, _fdbLength);
        Unmap(ref _drains, _drainsLength);
        CloseAll(_fds);
        _fds = [];
    }

    /// <summary>The values of the mmapable array behind <paramref name="fd"/>, mapped into this process to read and write; throws naming the map and errno.</summary>
    private static byte* MapArray(int fd, nuint length, string name)
    {
        void* map = LibC.mmap(null, (size_t)length, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
        return map != LibC.MAP_FAILED
            ? (byte*)map
            : throw new InvalidOperationException($"cannot map the fast path's BPF map {name}: {LibcExtras.ErrnoText(Marshal.GetLastPInvokeError())}");
    }

    private static void Unmap(ref byte* mapped, nuint length)
    {
        if (mapped != null)
        {
            LibC.munmap(mapped, (size_t)length);
            mapped = null;
        }
    }

    private static void CloseAll(ReadOnlySpan<int> fds)
    {
        foreach (int fd in fds)
        {
            LibC.close(fd);
        }
    }
}
