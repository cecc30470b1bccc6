// Keeps frames in order when the fast path takes a flow over from the poll loops. Until the mirror writes a
// new station's entry, its frames go to user space; the first frames after the write would cross in the
// kernel and overtake those still queued in a socket or a poll loop (CI saw it: 1000 numbered frames, one
// out of order). So a program redirects only while none of its ingress port's frames wait in user space:
//   handed   the program adds one for each frame it gives to user space (XSK redirect taken, or XDP_PASS);
//   taken[l] poll loop l adds the frames it took from the port's socket once every one of them, and every
//            copy it made, is in the kernel's hands (IPort.MarkForwarded, after its transmit rings drained);
//   lost     frames handed that no loop will ever take, written off by the tick.
// The program redirects when handed - lost - the sum of taken is not above 0; otherwise the frame goes to
// user space too, behind the ones waiting. Where that never converges the frames waiting are written off:
//   - by the loop (PortDrain.Forwarded), when frames kept waiting at every report for 64 reports and 1 ms:
//     a port sending faster than a loop turns its frames round never lets its queue run empty, and would
//     otherwise stay out of the fast path for good once one of its frames went to user space (the e2e bench
//     at 64 B: 50k of 893k frames in the kernel). The frames still queued then may be overtaken, once.
//     Catching up after the loop was held off takes fewer reports than that (a full ring is 32 bursts);
//   - by the tick (SettleDrains), when frames showed waiting at every look for 2 s: frames the kernel dropped
//     on the way (a full ring) when no later traffic makes the loop report.
// A loop then takes frames written off while queued, so the count goes below 0 for a while (still "nothing
// waits"); the tick sets it back to 0.
// One drain per XDP attachment (slot), allocated when its program is built, so a port's new attachment
// never reads counts its old sockets wrote. All live in one BPF_F_MMAPABLE array of a single entry: the
// program reaches its slot by address (no helper call), the loops write their counts in place (no syscall).
// Each writer has its own cache line: handed and lost (the program's CPUs, the tick), taken[l] (loop l).
using System.Diagnostics;
using FastBridge.Datapath.Interop;

namespace FastBridge.Datapath.Xdp;

/// <summary>
/// Poll loop L's handle on one port, as the drain of the port's attachment sees it: the loop reports the frames that
/// left (Forwarded), which it alone writes; the program reads them. Owned by the loop's thread.
/// </summary>
public sealed unsafe class PortDrain
{
    /// <summary>
    /// Reports in a row that found frames still waiting, and how long they must span, before the loop writes them off:
    /// more reports than a full RX ring takes to drain (2048 frames in bursts of 64: 32), so catching up after the loop
    /// was held off never does; only a queue that new frames keep filling (a port sending faster than the poll loops
    /// switch it) or frames the kernel dropped on the way.
    /// </summary>
    private const int WriteOffReports = 64;

    /// <summary>On Environment.TickCount64, which moves in the kernel's coarse ticks (4 ms on this machine): 1 means at least one tick.</summary>
    private const long WriteOffMs = 1;

    private readonly byte* _drain;
    private readonly ulong* _taken;
    private readonly int _loops;
    private int _waitingReports;
    private long _waitingSinceMs;

    internal PortDrain(byte* drain, int loop, int loops)
    {
        _drain = drain;
        _taken = (ulong*)(drain + FastPathMaps.DrainLine * (1 + loop));
        _loops = loops;
    }

    /// <summary>
    /// <paramref name="frames"/> more frames from the port left user space. When frames have kept waiting for
    /// WriteOffReports reports and WriteOffMs, they are counted as taken too: the fast path takes the port's flows over
    /// at the cost of letting the frames still queued at that moment be overtaken, once.
    /// </summary>
    public void Forwarded(ulong frames)
    {
        ulong taken = *_taken + frames;
        Volatile.Write(ref *_taken, taken);
        long waiting = FastPathMaps.Waiting(_drain, _loops);
        if (waiting <= 0)
        {
            _waitingReports = 0;
            return;
        }
        long now = Environment.TickCount64;
        if (_waitingReports++ == 0)
        {
            _waitingSinceMs = now;
        }
        else if (_waitingReports >= WriteOffReports && now - _waitingSinceMs >= WriteOffMs)
        {
            Volatile.Write(ref *_taken, taken + (ulong)waiting);
            _waitingReports = 0;
        }
    }
}

public sealed unsafe partial class FastPathMaps
{
    /// <summary>Bytes of one writer's line in a drain; offsets are the program's (FastPathProgram).</summary>
    internal const int DrainLine = 64;

    internal const short DrainHanded = 0, DrainLost = 8;

    /// <summary>How long a drain must show frames waiting at every look before they are written off.</summary>
    private static readonly long s_settleAfterTicks = 2 * Stopwatch.Frequency;

    private byte* _drains;
    private nuint _drainsLength;
    private bool[] _drainUsed = [];
    private long[] _waitingSince = [];   // per drain: when a look first saw frames waiting, 0 when the last saw none
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
                    _waitingSince[slot] = 0;
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

    /// <summary>Loop <paramref name="loop"/>'s handle in <paramref name="slot"/>; null for a loop past Loops.</summary>
    internal PortDrain? ForLoop(int slot, int loop) => (uint)loop < (uint)Loops ? new PortDrain(_drains + (nint)slot * DrainBytes, loop, Loops) : null;

    /// <summary>Frames of <paramref name="slot"/>'s port in user space, as its program sees them (0 or less: it may redirect).</summary>
    internal long Waiting(int slot) => Waiting(_drains + (nint)slot * DrainBytes, Loops);

    /// <summary>Whether any port's frames wait in user space now, so that its known unicast would take the poll loops too (tests).</summary>
    internal bool AnyWaiting()
    {
        lock (_drainUsed)
        {
            for (int slot = 0; slot < _drainUsed.Length; slot++)
            {
                if (_drainUsed[slot] && Waiting(slot) > 0)
                {
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>handed - lost - every loop's taken, read as the program reads them.</summary>
    internal static long Waiting(byte* drain, int loops)
    {
        ulong owed = Volatile.Read(ref *(ulong*)(drain + DrainHanded)) - Volatile.Read(ref *(ulong*)(drain + DrainLost));
        for (int loop = 0; loop < loops; loop++)
        {
            owed -= Volatile.Read(ref *(ulong*)(drain + DrainLine * (1 + loop)));
        }
        return (long)owed;
    }

    /// <summary>
    /// The tick: frames a drain showed waiting at every look for SettleAfter are written off (see the top of the
    /// file), so its port's frames may cross in the kernel again; a count below 0 is set back to 0. Control thread only.
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
                long waiting = Waiting(slot);
                if (waiting <= 0)
                {
                    _waitingSince[slot] = 0;
                }
                else if (_waitingSince[slot] == 0)
                {
                    _waitingSince[slot] = now;
                }
                if (waiting < 0 || (waiting > 0 && now - _waitingSince[slot] >= s_settleAfterTicks))
                {
                    (ulong handed, ulong taken) = Read(slot);
                    Volatile.Write(ref *Lost(slot), handed - taken);
                    _waitingSince[slot] = 0;
                }
            }
        }
    }

    private ulong* Lost(int slot) => (ulong*)(_drains + (nint)slot * DrainBytes + DrainLost);

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
        _drains = MapArray(DrainsFd, _drainsLength, "fb_drains");
        _drainUsed = new bool[slots];
        _waitingSince = new long[slots];
    }

    private static (uint Type, uint Key, uint Value, uint Max, uint Flags, string Name) DrainsSpec(int slots, int loops) =>
        (Bpf.MapTypeArray, 4, (uint)(slots * DrainLine * (1 + loops)), 1, Bpf.MapFlagMmapable, "fb_drains");
}
