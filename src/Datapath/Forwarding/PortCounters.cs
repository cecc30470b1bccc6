// Counters written by exactly one poll loop each: plain ulong increments, no atomics. Readers on
// other threads sum them when asked (a 64-bit read on x64 is never torn); nothing is folded on the
// hot path.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Fdb;

namespace FastBridge.Datapath.Forwarding;

[InlineArray(DropReasons.Count)]
public struct DropCounts
{
    private ulong _element0;
}

/// <summary>One poll loop's counters for one port; a multiple of 128 bytes so neighbours never share a cache line pair.</summary>
[StructLayout(LayoutKind.Sequential, Size = 256)]
public struct PortCounters
{
    public ulong RxPackets;
    public ulong RxBytes;
    public ulong TxPackets;
    public ulong TxBytes;

    /// <summary>Frames received on this port that were flooded (unknown unicast, broadcast, multicast).</summary>
    public ulong Floods;

    /// <summary>New sources on this port not learned because the port held its MaxLearned (port policy).</summary>
    public ulong FdbLimitHits;

    /// <summary>On a mirror's destination port: copies sent, and copies dropped for want of room on its TX ring or for size.</summary>
    public ulong MirrorSent;
    public ulong MirrorDropped;

    /// <summary>By DropReason: ingress reasons on the ingress port, TooBig, NoTxRoom and TxRefused on the egress port.</summary>
    public DropCounts Drops;

    public void Add(in PortCounters other)
    {
        RxPackets += other.RxPackets;
        RxBytes += other.RxBytes;
        TxPackets += other.TxPackets;
        TxBytes += other.TxBytes;
        Floods += other.Floods;
        FdbLimitHits += other.FdbLimitHits;
        MirrorSent += other.MirrorSent;
        MirrorDropped += other.MirrorDropped;
        for (int i = 0; i < DropReasons.Count; i++)
        {
            Drops[i] += other.Drops[i];
        }
    }
}

/// <summary>Bursts by size: bucket b counts bursts of at most BatchSizeBounds[b] frames; the last has no bound.</summary>
[InlineArray(LoopCounters.BatchSizeBucketCount)]
public struct BatchSizeCounts
{
    private ulong _element0;
}

/// <summary>Everything one poll loop counts. Owned and written by that loop's thread only.</summary>
public sealed class LoopCounters
{
    public LoopCounters(int portCapacity) => Ports = new PortCounters[portCapacity];

    public PortCounters[] Ports { get; }

    /// <summary>FDB events caused by this loop's learning.</summary>
    public FdbLearnCounts Fdb;

    /// <summary>The stations this loop's learning moved between ports, drained by MAC-flap detection.</summary>
    public StationMoves Moves { get; } = new();

    /// <summary>Bursts processed and frames in them: average batch size = Frames / Batches.</summary>
    public ulong Batches;
    public ulong Frames;

    /// <summary>Bursts by size, for the batch-size histogram: powers of two up to the default burst of 64.</summary>
    public BatchSizeCounts BatchSizes;

    public const int BatchSizeBucketCount = 8;

    /// <summary>Upper bounds (inclusive) of all buckets but the last, which takes the rest.</summary>
    public static ReadOnlySpan<int> BatchSizeBounds => [1, 2, 4, 8, 16, 32, 64];

    /// <summary>The bucket of a burst of <paramref name="frames"/> (at least 1): the smallest power of two that holds it.</summary>
    public static int BatchSizeBucket(int frames) =>
        frames <= 1 ? 0 : Math.Min(32 - System.Numerics.BitOperations.LeadingZeroCount((uint)(frames - 1)), BatchSizeBucketCount - 1);

    /// <summary>Stopwatch ticks spent in loop iterations that moved frames, and since the loop started (wall clock, waits included).</summary>
    public ulong BusyTicks;
    public ulong LoopTicks;

    /// <summary>Frames exchanged with the control plane (ControlFrameQueues).</summary>
    public PuntCounts Punts;
}

/// <summary>One poll loop's punted and injected frames.</summary>
public struct PuntCounts
{
    /// <summary>Frames taken out of forwarding and queued for the control plane.</summary>
    public ulong Punted;

    /// <summary>Frames to punt that found no slot (the control plane fell behind, or the frame was longer than a slot): neither punted nor forwarded.</summary>
    public ulong PuntDropped;

    /// <summary>Frames the control plane injected that this loop handed to their port.</summary>
    public ulong Injected;

    /// <summary>Injected frames not sent: the port was absent or not up, or (counted on the port too) the frame was too big or its TX ring full.</summary>
    public ulong InjectDropped;
}
