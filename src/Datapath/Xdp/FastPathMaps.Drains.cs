// Keeps frames in order when the fast path takes a flow over from the poll loops. Until the mirror writes a
// new station's entry, its frames go to user space; the first frames after the write would cross in the
// kernel and overtake those still queued in a socket or a poll loop (CI saw it: 1000 numbered frames, one
// out of order). So a program redirects only while none of its ingress port's frames wait in user space:
//   handed   the program adds one for each frame it gives to user space (XSK redirect taken, or XDP_PASS);
//   taken[l] poll loop l adds the frames it took from the port's socket once every one of them, and every
//            copy it made, is in the kernel's hands (IPort.MarkForwarded, after its transmit rings drained);
//   lost     frames handed that no loop will ever take: the kernel dropped them on the way (a full ring).
// The program redirects when handed == lost + the sum of taken; otherwise the frame goes to user space too,
// behind the ones waiting. Nothing counts drops exactly, so the tick settles them (SettleDrains): a port
// whose handed and taken have not moved for SettleAfter but still differ has lost the difference. Time, not
// ticks: a sync may run many times a second (after a policy change), and a loop a busy CPU holds off for a
// few ms must not have its frames written off.
// One drain per XDP attachment (slot), allocated when its program is built, so a port's new attachment
// never reads counts its old sockets wrote. All live in one BPF_F_MMAPABLE array of a single entry: the
// program reaches its slot by address (no helper call), the loops write their counts in place (no syscall).
// Each writer has its own cache line: handed and lost (the program's CPUs, the tick), taken[l] (loop l).
using System.Diagnostics;
using System.Runtime.InteropServices;
using FastBridge.Datapath.Interop;
using Tmds.Linux;

namespace FastBridge.Datapath.Xdp;

/// <summary>A poll loop's taken count in one drain: the loop owns it, the program reads it. default: no drain (no fast path).</summary>
public readonly unsafe struct DrainCounter(ulong* taken)
{
    /// <summary><paramref name="frames"/> more frames from the port left user space (one writer: the loop's thread).</summary>
    public void Add(ulong frames)
    {
        if (taken != null)
        {
            Volatile.Write(ref *taken, *taken + frames);
        }
    }
}

public sealed unsafe partial class FastPathMaps
{
    /// <summary>Bytes of one writer's line in a drain; offsets are the program's (FastPathProgram).</summary>
    internal const int DrainLine = 64;

    internal const short DrainHanded = 0, DrainLost = 8;

    /// <summary>How long a drain's counts must stand still before what they still differ by is written off.</summary>
    private static readonly long s_settleAfterTicks = 2 * Stopwatch.Frequency;

    private byte* _drains;
    private nuint _drainsLength;
    private bool[] _drainUsed = [];
    private (ulong Handed, ulong Taken, long Since)[] _drainSeen = [];
    private int _nextDrain;

    /// <summary>Poll loops whose taken counts each program adds up.</summary>
    public int Loops { get; }

    /// <summary>Bytes of one drain: handed and lost, then one line per loop.</summary>
    internal int DrainBytes => DrainLine * (1 + Loops);

    internal int DrainsFd => _fds[4];

    /// <summary>A zeroed drain for a new attachment's program; set-up thread. Throws when all are in use (twice the ports: cannot happen).</summary>
    internal int AllocateDrain()
    {
        lock (_drainUsed)
        {
            // Round robin, so a slot just freed (whose old program may still finish a frame) is taken last.
            for (int i = 0; i < _drainUsed.Length; i++)
            {
                int slot = (_nextDrain + i) % _drainUsed.Length;
                if (!_drainUsed[slot])
                {
                    _drainUsed[slot] = true;
                    _nextDrain = slot + 1;
                    new Span<byte>(_drains + (nint)slot * DrainBytes, DrainBytes).Clear();
                    _drainSeen[slot] = (0, 0, Stopwatch.GetTimestamp());
                    return slot;
                }
            }
        }
        throw new InvalidOperationException($"the fast path's {_drainUsed.Length} drains are all in use");
    }

    internal void FreeDrain(int slot)
    {
        lock (_drainUsed)
        {
            _drainUsed[slot] = false;
        }
    }

    /// <summary>Loop <paramref name="loop"/>'s taken count in <paramref name="slot"/>.</summary>
    internal DrainCounter Taken(int slot, int loop) =>
        (uint)loop < (uint)Loops ? new DrainCounter((ulong*)(_drains + (nint)slot * DrainBytes + DrainLine * (1 + loop))) : default;

    /// <summary>Frames of <paramref name="slot"/>'s port in user space, as its program sees them (0: it may redirect).</summary>
    internal ulong Waiting(int slot)
    {
        (ulong handed, ulong taken) = Read(slot);
        return handed - taken - Volatile.Read(ref *(ulong*)(_drains + (nint)slot * DrainBytes + DrainLost));
    }

    /// <summary>
    /// The tick: a drain whose handed and taken counts stood still for SettleAfter while they still differ lost
    /// the difference on the way (a ring that was full): written off, so its port's frames may cross in the kernel
    /// again. Control thread only.
    /// </summary>
    public void SettleDrains()
    {
        long now = Stopwatch.GetTimestamp();
        lock (_drainUsed)
        {
            for (int slot = 0; slot < _drainUsed.Length; slot++)
            {
                if (!_drainUsed[slot])
                {
                    continue;
                }
                (ulong handed, ulong taken) = Read(slot);
                (ulong seenHanded, ulong seenTaken, long since) = _drainSeen[slot];
                if ((handed, taken) != (seenHanded, seenTaken))
                {
                    _drainSeen[slot] = (handed, taken, now);
                }
                else if (now - since >= s_settleAfterTicks && Waiting(slot) != 0)
                {
                    Volatile.Write(ref *(ulong*)(_drains + (nint)slot * DrainBytes + DrainLost), handed - taken);
                }
            }
        }
    }

    private (ulong Handed, ulong Taken) Read(int slot)
    {
        byte* drain = _drains + (nint)slot * DrainBytes;
        ulong handed = Volatile.Read(ref *(ulong*)(drain + DrainHanded)), taken = 0;
        for (int loop = 0; loop < Loops; loop++)
        {
            taken += Volatile.Read(ref *(ulong*)(drain + DrainLine * (1 + loop)));
        }
        return (handed, taken);
    }

    /// <summary>Maps the drains array (created with the other maps) into this process; throws naming the errno.</summary>
    private void MapDrains(int slots)
    {
        _drainsLength = (nuint)((long)slots * DrainBytes + Environment.SystemPageSize - 1) & ~(nuint)(Environment.SystemPageSize - 1);
        void* map = LibC.mmap(null, (size_t)_drainsLength, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, DrainsFd, 0);
        if (map == LibC.MAP_FAILED)
        {
            throw new InvalidOperationException($"cannot map the fast path's BPF map fb_drains: {LibcExtras.ErrnoText(Marshal.GetLastPInvokeError())}");
        }
        _drains = (byte*)map;
        _drainUsed = new bool[slots];
        _drainSeen = new (ulong, ulong, long)[slots];
    }

    private void UnmapDrains()
    {
        if (_drains != null)
        {
            LibC.munmap(_drains, (size_t)_drainsLength);
            _drains = null;
        }
    }

    private static (uint Type, uint Key, uint Value, uint Max, uint Flags, string Name) DrainsSpec(int slots, int loops) =>
        (Bpf.MapTypeArray, 4, (uint)(slots * DrainLine * (1 + loops)), 1, Bpf.MapFlagMmapable, "fb_drains");
}
