// The traffic generator: one thread inside a host namespace, pinned to one CPU, writing prebuilt
// frames into an AF_PACKET transmit ring (FastBridge's own AfPacketPort, PACKET_QDISC_BYPASS) and
// kicking it once per burst. Pacing is even: burst k leaves at start + k * burst / rate, bursts
// small enough (at most 50 µs of frames) that the load looks like a NIC's, not a one-second burst
// and silence. The wait before a burst sleeps (clock_nanosleep, 1 ns timer slack) and spins only
// the last 30 µs, so a paced generator does not burn its CPU and muddy the CPU figures.
using System.Diagnostics;
using System.Runtime.InteropServices;
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Ports;

namespace FastBridge.E2e;

/// <summary>What one send did: frames handed to the kernel and the time it took.</summary>
internal sealed record SendResult(long Sent, double Seconds)
{
    public double Rate => Seconds > 0 ? Sent / Seconds : 0;
}

internal static unsafe partial class Generator
{
    /// <summary>A burst covers at most this much time at the offered rate (and never more than a batch).</summary>
    private const double BurstSeconds = 50e-6;

    private const long SpinTicksNs = 30_000;

    /// <summary>
    /// Sends frames from <paramref name="plan"/> (frame i = plan[i % plan.Count]) out of
    /// <paramref name="ifName"/> in namespace <paramref name="ns"/> at <paramref name="rate"/>
    /// frames per second (0: as fast as the kernel takes them) until <paramref name="count"/>
    /// frames went or <paramref name="seconds"/> passed. Every <paramref name="latencyEvery"/>-th
    /// frame (0: none) becomes a latency probe stamped with the time it was handed to the kernel.
    /// </summary>
    public static SendResult Send(string ns, string ifName, int cpu, FramePlan plan, double rate, double seconds, long count = long.MaxValue, int latencyEvery = 0)
    {
        SendResult? result = null;
        Namespaces.RunIn(ns, () =>
        {
            if (!Libc.TryPinCurrentThread(cpu))
            {
                throw new InvalidOperationException($"generator: cannot pin to CPU {cpu}");
            }
            _ = prctl(PrSetTimerslack, 1, 0, 0, 0);
            using var port = new AfPacketPort(NetInterface.Inspect(ifName), new AfPacketOptions(RxBlockCount: 4, TxFrameCount: 4096));
            result = SendOn(port, plan, rate, seconds, count, latencyEvery);
        });
        return result!;
    }

    private static SendResult SendOn(AfPacketPort port, FramePlan plan, double rate, double seconds, long count, int latencyEvery)
    {
        int burst = rate > 0 ? Math.Clamp((int)(rate * BurstSeconds), 1, FrameBatch.DefaultCapacity) : FrameBatch.DefaultCapacity;
        var batch = new FrameBatch();
        int[] indices = Enumerable.Range(0, FrameBatch.DefaultCapacity).ToArray();
        double ticksPerFrame = rate > 0 ? Stopwatch.Frequency / rate : 0;
        long start = Stopwatch.GetTimestamp();
        long end = start + (long)(seconds * Stopwatch.Frequency);
        long sent = 0;
        while (sent < count)
        {
            if (rate > 0)
            {
                WaitUntil(start + (long)(sent * ticksPerFrame));
            }
            if (Stopwatch.GetTimestamp() >= end)
            {
                break;
            }
            int n = (int)Math.Min(burst, count - sent);
            batch.Clear();
            bool probes = false;
            for (int j = 0; j < n; j++)
            {
                long sequence = sent + j;
                byte* frame = plan.Frame(sequence);
                if (latencyEvery > 0 && sequence % latencyEvery == 0)
                {
                    probes = true;
                    FramePlan.MarkProbe(frame, sequence, NowRealtimeNs());
                }
                batch.Add(frame, plan.WireLength);
            }
            int queued = port.Transmit(batch, indices.AsSpan(0, n));
            port.Flush();
            for (int j = 0; probes && j < n; j++)
            {
                FramePlan.UnmarkProbe(batch[j].Data); // Transmit copied them; the plan's frames are traffic again
            }
            sent += queued;
        }
        double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return new SendResult(sent, Math.Min(elapsed, seconds));
    }

    private static void WaitUntil(long dueTicks)
    {
        long remainingNs = (dueTicks - Stopwatch.GetTimestamp()) * 1_000_000_000 / Stopwatch.Frequency;
        if (remainingNs > SpinTicksNs)
        {
            var sleep = new Timespec { Seconds = 0, Nanoseconds = remainingNs - SpinTicksNs };
            while (sleep.Nanoseconds >= 1_000_000_000)
            {
                sleep.Seconds++;
                sleep.Nanoseconds -= 1_000_000_000;
            }
            _ = clock_nanosleep(ClockMonotonic, 0, &sleep, null);
        }
        while (Stopwatch.GetTimestamp() < dueTicks)
        {
            Thread.SpinWait(8);
        }
    }

    /// <summary>CLOCK_REALTIME in ns: the clock the kernel stamps received skbs with (SIOCGSTAMPNS).</summary>
    public static long NowRealtimeNs()
    {
        Timespec now;
        _ = clock_gettime(ClockRealtime, &now);
        return now.Seconds * 1_000_000_000 + now.Nanoseconds;
    }

    private const int ClockRealtime = 0, ClockMonotonic = 1, PrSetTimerslack = 29;

    [StructLayout(LayoutKind.Sequential)]
    internal struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc")]
    private static partial int clock_gettime(int clock, Timespec* now);

    [LibraryImport("libc")]
    private static partial int clock_nanosleep(int clock, int flags, Timespec* request, Timespec* remaining);

    [LibraryImport("libc")]
    private static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
}
