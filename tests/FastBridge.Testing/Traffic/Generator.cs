// The traffic generator: one thread inside a host namespace, pinned to one CPU, writing prebuilt
// frames into an AF_PACKET transmit ring (FastBridge's own AfPacketPort, PACKET_QDISC_BYPASS) and
// kicking it once per burst. Pacing is even: burst k leaves at start + k * burst / rate, bursts
// small enough (at most 128 µs of frames, 64 frames) that the load looks like a NIC's, not a
// one-second burst and silence. The wait before a burst sleeps (absolute clock_nanosleep, 1 ns timer slack) and
// never spins: on veth the receive work the generator's sends raise (NAPI, XDP redirect) runs on
// its CPU, often in ksoftirqd, and a spinning generator starved it. Measured: with a 30 µs spin,
// FastBridge AF_XDP's p99 at 100k frames/s was 1775 µs and its zero-loss rate a third of its
// forwarding rate; without, 106 µs and no loss up to the generator's limit (OVS afxdp, whose
// PMD side differs, was unaffected).
using System.Runtime.InteropServices;
using FastBridge.ControlPlane.Lab;
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Ports;
using FastBridge.Testing.Frames;
using Tmds.Linux;

namespace FastBridge.Testing.Traffic;

/// <summary>What one send did: frames handed to the kernel, the time it took, and the generator thread's own user-space CPU seconds.</summary>
internal sealed record SendResult(long Sent, double Seconds, double UserCpuSeconds)
{
    public double Rate => Seconds > 0 ? Sent / Seconds : 0;
}

internal static unsafe partial class Generator
{
    /// <summary>
    /// A burst covers at most this much time at the offered rate (and never more than MaxBurst frames).
    /// Each burst costs a timer sleep, which on this VM is dear: with 50 µs bursts the sleeps were 21% of
    /// the generator CPU at 900k frames/s (perf), capping every switch's measured rate.
    /// </summary>
    private const double BurstSeconds = 128e-6;

    /// <summary>Frames per kick at most (64, 256 and 1024 measured the same: the kernel's per-frame work dominates).</summary>
    private const int MaxBurst = 64;

    /// <summary>
    /// Sends frames from <paramref name="plan"/> (frame i = plan[i % plan.Count]) out of
    /// <paramref name="ifName"/> in namespace <paramref name="ns"/> at <paramref name="rate"/>
    /// frames per second (0: as fast as the kernel takes them), pinned to <paramref name="cpu"/> (-1: not pinned), until <paramref name="count"/>
    /// frames went or <paramref name="seconds"/> passed. Every <paramref name="latencyEvery"/>-th
    /// frame (0: none) becomes a latency probe stamped with the time it was handed to the kernel.
    /// </summary>
    public static SendResult Send(string ns, string ifName, int cpu, FramePlan plan, double rate, double seconds, long count = long.MaxValue, int latencyEvery = 0)
    {
        SendResult? result = null;
        Namespaces.RunIn(ns, () =>
        {
            if (cpu >= 0 && !CpuAffinity.TryPinCurrentThread(cpu))
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
        int burst = rate > 0 ? Math.Clamp((int)(rate * BurstSeconds), 1, MaxBurst) : MaxBurst;
        var batch = new FrameBatch(MaxBurst);
        int[] indices = Enumerable.Range(0, MaxBurst).ToArray();
        double nsPerFrame = rate > 0 ? 1e9 / rate : 0;
        double userBefore = ThreadUserSeconds();
        long start = NowNs(ClockMonotonic);
        long end = start + (long)(seconds * 1e9);
        long sent = 0;
        while (sent < count)
        {
            if (rate > 0)
            {
                SleepUntil(start + (long)(sent * nsPerFrame));
            }
            if (NowNs(ClockMonotonic) >= end)
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
                batch.Add(frame, plan.Length(sequence));
            }
            int queued = port.Transmit(batch, indices.AsSpan(0, n));
            port.Flush();
            for (int j = 0; probes && j < n; j++)
            {
                FramePlan.UnmarkProbe(batch[j].Data); // Transmit copied them; the plan's frames are traffic again
            }
            sent += queued;
        }
        double elapsed = (NowNs(ClockMonotonic) - start) / 1e9;
        return new SendResult(sent, Math.Min(elapsed, seconds), ThreadUserSeconds() - userBefore);
    }

    private static void SleepUntil(long dueNs)
    {
        var due = new Timespec { Seconds = dueNs / 1_000_000_000, Nanoseconds = dueNs % 1_000_000_000 };
        while (clock_nanosleep(ClockMonotonic, TimerAbstime, &due, null) == LibC.EINTR)
        {
        }
    }

    /// <summary>CLOCK_REALTIME in ns: the clock the kernel stamps received skbs with (SIOCGSTAMPNS).</summary>
    public static long NowRealtimeNs() => NowNs(ClockRealtime);

    private static long NowNs(int clock)
    {
        Timespec now;
        _ = clock_gettime(clock, &now);
        return now.Seconds * 1_000_000_000 + now.Nanoseconds;
    }

    /// <summary>User-space CPU time of the calling thread (getrusage RUSAGE_THREAD): the generator's own work, not the kernel's.</summary>
    private static double ThreadUserSeconds()
    {
        Rusage usage;
        return getrusage(RusageThread, &usage) == 0 ? usage.UserSeconds + usage.UserMicroseconds / 1e6 : 0;
    }

    private const int ClockRealtime = 0, ClockMonotonic = 1, TimerAbstime = 1, PrSetTimerslack = 29, RusageThread = 1;

    /// <summary>struct rusage: ru_utime, ru_stime (struct timeval each), then 14 longs.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Rusage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        public fixed long Rest[14];
    }

    [LibraryImport("libc")]
    private static partial int getrusage(int who, Rusage* usage);

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
