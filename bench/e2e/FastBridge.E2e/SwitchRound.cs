// One switch in one round: a fresh lab, the switch started on it, every figure measured, everything
// torn down again (also when a step fails, which is reported and recorded as a missing figure).
using FastBridge.Testing.Frames;
using FastBridge.Testing.Processes;
using FastBridge.Testing.Switches;

namespace FastBridge.E2e;

internal sealed class SwitchRound(BenchOptions options, string prefix, Results results)
{
    private static readonly TimeSpan s_commandTimeout = TimeSpan.FromSeconds(20);

    /// <summary>The longest the bench waits for FastBridge's runtime to settle after the warm-up (SteadyState).</summary>
    private static readonly TimeSpan s_steadyLimit = TimeSpan.FromSeconds(120);

    private volatile bool _cancelled;

    public bool Cancelled => _cancelled;

    public void Cancel() => _cancelled = true;

    public void Measure(int round, string name)
    {
        SwitchUnderTest sut = SwitchUnderTest.Create(name, options.SwitchSettings(prefix));
        BenchLab lab = BenchLab.Create(prefix, sut.Direct, options.HostGro);
        try
        {
            sut.Start(lab.Prefix + "br", lab.Ports);
            MeasureStarted(round, sut, lab);
        }
        catch (Exception ex) // any failure: reported and recorded, and the finally still removes the lab
        {
            Console.Error.WriteLine($"e2e: round {round} {name}: {ex.Message}");
            results.Add(round, name, 0, "error", double.NaN);
        }
        finally
        {
            if (options.Verbose)
            {
                Console.Error.WriteLine(ChildProcess.TryRun("ip", ["-n", lab.GenNs, "-s", "link", "show", "dev", lab.GenIf], s_commandTimeout)?.Stdout);
                foreach (string port in lab.Ports)
                {
                    Console.Error.WriteLine(ChildProcess.TryRun("ip", ["-s", "link", "show", "dev", port], s_commandTimeout)?.Stdout);
                }
                // Its own account (for FastBridge: output, and `fastbridge stats` with drops by reason and batch sizes).
                Console.Error.WriteLine(sut.Describe());
            }
            sut.Dispose(); // the switch stops (and restores its ports) before the ports go away
            lab.Dispose();
        }
    }

    private void MeasureStarted(int round, SwitchUnderTest sut, BenchLab lab)
    {
        var trial = new Trial(lab, options);
        WarmUp(options, sut, lab, trial, $"e2e: round {round}");
        long? gcBefore = sut.GcCollections();
        (ulong Received, ulong Fast) pathsBefore = sut is FastBridgeSwitch started ? Paths(started) : default;
        double throughput64 = 200_000; // used by the RFC 2889 trials when 64-byte frames were not measured
        foreach (int size in options.Sizes)
        {
            if (_cancelled)
            {
                return;
            }
            using FramePlan plan = Plan(size);
            TrialResult max = trial.Run(plan, 0);
            double throughput = trial.Throughput(plan, max);
            if (options.Profile)
            {
                string profile = CpuProfile.Record(options, sut.Kind, size, () => trial.Run(plan, 0));
                Console.Error.WriteLine($"e2e: round {round} {sut.Kind,-20} {size,4} B: profile in {profile}");
            }
            TrialResult low = trial.Run(plan, options.LowRate, latency: true);
            TrialResult moderate = trial.Run(plan, options.ModerateRate, latency: true);
            throughput64 = size == 64 ? throughput : throughput64;
            void Add(string figure, double value) => results.Add(round, sut.Kind, size, figure, value);
            Add(Figures.Throughput, throughput);
            Add(Figures.MaxLoadForwarded, max.ForwardedFps);
            Add(Figures.MaxLoadOffered, max.OfferedFps);
            Add(Figures.LatencyLowP50, low.LatencyUs(50));
            Add(Figures.LatencyLowP99, low.LatencyUs(99));
            Add(Figures.LatencyModerateP50, moderate.LatencyUs(50));
            Add(Figures.LatencyModerateP99, moderate.LatencyUs(99));
            Add(Figures.ModerateLoss, moderate.Loss * 100);
            Add(Figures.CpuModerate, moderate.CpuMsPerMillionFrames);
            Add(Figures.CpuMax, max.CpuMsPerMillionFrames);
            Add(Figures.GenCpuBusyMax, max.BusyPercent(options.GenCpu));
            Add(Figures.SwitchCpuBusyMax, max.BusyPercent(options.SwitchCpu));
            Add(Figures.GenCpuBusyModerate, moderate.BusyPercent(options.GenCpu));
            Add(Figures.SwitchCpuBusyModerate, moderate.BusyPercent(options.SwitchCpu));
            Console.Error.WriteLine(
                $"e2e: round {round} {sut.Kind,-20} {size,4} B: throughput {throughput / 1e6:F3} Mfps, max load {max.ForwardedFps / 1e6:F3} of {max.OfferedFps / 1e6:F3} Mfps offered, " +
                $"p50/p99 {low.LatencyUs(50):F0}/{low.LatencyUs(99):F0} us at {options.LowRate / 1e3:F0}k, {moderate.LatencyUs(50):F0}/{moderate.LatencyUs(99):F0} us at {options.ModerateRate / 1e3:F0}k, " +
                $"CPU {moderate.CpuMsPerMillionFrames:F0} ms/Mframe at {options.ModerateRate / 1e3:F0}k");
        }
        long? gcAfter = sut.GcCollections();
        if (gcBefore is long b && gcAfter is long a)
        {
            results.Add(round, sut.Kind, 0, Figures.GcCollections, a - b);
        }
        if (sut is FastBridgeSwitch fastBridge)
        {
            ReportPaths(round, fastBridge, pathsBefore);
        }
        if (sut.Learns && !_cancelled)
        {
            var rfc2889 = new Rfc2889(lab, sut, options, throughput64);
            (int capacity, bool capped) = rfc2889.CachingCapacity();
            results.Add(round, sut.Kind, 64, capped ? Figures.CachingCapacityAtLeast : Figures.CachingCapacity, capacity);
            int addresses = Math.Min(options.LearningAddresses, Math.Max(capacity, 1024));
            double learningRate = rfc2889.LearningRate(addresses, Math.Max(throughput64, 10_000));
            results.Add(round, sut.Kind, 64, Figures.LearningRate, learningRate);
            Console.Error.WriteLine($"e2e: round {round} {sut.Kind,-20} RFC 2889: caching capacity {(capped ? ">= " : "")}{capacity}, learning rate {learningRate / 1e3:F0}k addresses/s ({addresses} addresses)");
        }
    }

    /// <summary>
    /// Before the measured trials: the sink announces itself, one maximum-load trial at 64 B that is not counted (JIT,
    /// learning, caches), the switch's settle time, and for FastBridge the wait for its runtime to go quiet (SteadyState).
    /// </summary>
    public static void WarmUp(BenchOptions options, SwitchUnderTest sut, BenchLab lab, Trial trial, string label)
    {
        lab.SinkHello(options.GenCpu);
        using (FramePlan warmUp = Plan(64))
        {
            trial.Run(warmUp, 0);
        }
        Thread.Sleep(sut.Settle);
        if (sut is FastBridgeSwitch daemon)
        {
            Console.Error.WriteLine($"{label} {sut.Kind,-20} steady: {SteadyState.Wait(daemon.Pid, s_steadyLimit)}");
        }
    }

    /// <summary>
    /// Frames the ports took in through the XDP fast path and through the poll loops in the measured trials (after the
    /// warm-up, whose first frames the poll loops learn from while the tick has yet to mirror them).
    /// </summary>
    private void ReportPaths(int round, FastBridgeSwitch fastBridge, (ulong Received, ulong Fast) before)
    {
        (ulong received, ulong fast) = Paths(fastBridge);
        received -= before.Received;
        fast -= before.Fast;
        results.Add(round, fastBridge.Kind, 0, Figures.FastPathFrames, fast);
        results.Add(round, fastBridge.Kind, 0, Figures.PollLoopFrames, received - fast);
        Console.Error.WriteLine($"e2e: round {round} {fastBridge.Kind,-20} frames received in the measured trials: {fast} through the XDP fast path, {received - fast} through the poll loops");
    }

    /// <summary>Frames all ports received so far, and those of them the XDP fast path forwarded.</summary>
    private static (ulong Received, ulong Fast) Paths(FastBridgeSwitch fastBridge)
    {
        ulong received = 0, fast = 0;
        foreach (System.Text.Json.JsonElement port in fastBridge.Stats().RootElement.GetProperty("ports").EnumerateArray())
        {
            received += port.GetProperty("rxPackets").GetUInt64();
            fast += port.GetProperty("fastPathRxPackets").GetUInt64();
        }
        return (received, fast);
    }

    /// <summary>Frames of <paramref name="size"/> bytes from the generator to the sink.</summary>
    public static FramePlan Plan(int size) => FramePlan.Create(size, 1, _ => BenchLab.GenMac, _ => BenchLab.SinkMac);
}
