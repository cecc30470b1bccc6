// One RFC 2544 trial and the searches built on it: the generator offers frames to the switch for a
// fixed time, the bench waits for the switch to drain and counts what the sink's veth received.
// Loss = 1 - received / sent, where sent is what the generator handed its kernel (frames the switch's
// receive side could not take count as lost, as they would on a wire).
using FastBridge.Testing.Frames;
using FastBridge.Testing.Traffic;

namespace FastBridge.E2e;

/// <param name="GenUserCpu">The generator thread's own user-space CPU seconds, left out of the CPU per frame (its kernel work stays in).</param>
internal sealed record TrialResult(double OfferedFps, long Sent, long Received, double Seconds, double[] CpuBusy, double GenUserCpu, long[] LatenciesNs)
{
    public double Loss => Sent == 0 ? 1 : Math.Max(0, 1 - (double)Received / Sent);

    public double ForwardedFps => Received / Seconds;

    /// <summary>Whole-machine CPU milliseconds per million frames that reached the sink, less the generator's user-space time.</summary>
    public double CpuMsPerMillionFrames => Received == 0 ? double.NaN : Math.Max(0, CpuBusy.Sum() - GenUserCpu) * 1000 / (Received / 1e6);

    public double BusyPercent(int cpu) => cpu < CpuBusy.Length ? 100 * CpuBusy[cpu] / Seconds : double.NaN;

    public double LatencyUs(double percentile) =>
        LatenciesNs.Length == 0 ? double.NaN : LatenciesNs[Math.Min(LatenciesNs.Length - 1, (int)(percentile / 100 * LatenciesNs.Length))] / 1000.0;
}

internal sealed class Trial(BenchLab lab, BenchOptions options)
{
    /// <summary>RFC 2544 allows no loss; a veth bench drops the odd frame to scheduling, so 0.1% is the bar (issue 5).</summary>
    public const double LossBar = 0.001;

    private static readonly TimeSpan s_drain = TimeSpan.FromMilliseconds(200);

    /// <summary>Offers <paramref name="plan"/>'s frames at <paramref name="rate"/> (0 = as fast as possible) for the trial length.</summary>
    public TrialResult Run(FramePlan plan, double rate, bool latency = false)
    {
        LatencyProbe? probe = null;
        if (latency)
        {
            probe = new LatencyProbe();
            probe.Start(lab.SinkNs, lab.SinkIf, options.GenCpu); // its delay in reading does not matter: the stamps are the kernel's
        }
        ulong before = BenchLab.RxPackets(lab.SinkNs, lab.SinkIf);
        CpuTime cpuBefore = CpuTime.Read();
        int probeEvery = latency ? Math.Max(1, (int)(rate / options.ProbesPerSecond)) : 0;
        SendResult sent = Generator.Send(lab.GenNs, lab.GenIf, options.GenCpu, plan, rate, options.TrialSeconds, latencyEvery: probeEvery);
        double[] cpu = CpuTime.Read().Since(cpuBefore);
        Thread.Sleep(s_drain);
        ulong received = BenchLab.RxPackets(lab.SinkNs, lab.SinkIf) - before;
        long[] latencies = probe?.Stop() ?? [];
        return new TrialResult(sent.Rate, sent.Sent, (long)received, sent.Seconds, cpu, sent.UserCpuSeconds, latencies);
    }

    /// <summary>
    /// RFC 2544 throughput: the highest offered rate with loss at most LossBar, by binary search between
    /// 0 and the generator's maximum, starting from what the switch forwarded at maximum load.
    /// </summary>
    public double Throughput(FramePlan plan, TrialResult maxLoad)
    {
        if (maxLoad.Loss <= LossBar)
        {
            return maxLoad.OfferedFps; // the generator, not the switch, is the limit here
        }
        double pass = 0, fail = maxLoad.OfferedFps;
        double rate = maxLoad.ForwardedFps;
        for (int step = 0; step < options.SearchSteps; step++)
        {
            TrialResult trial = Run(plan, rate);
            if (trial.Loss <= LossBar)
            {
                pass = Math.Max(pass, trial.OfferedFps);
            }
            else
            {
                fail = rate;
            }
            rate = (pass + fail) / 2;
        }
        return pass;
    }
}
