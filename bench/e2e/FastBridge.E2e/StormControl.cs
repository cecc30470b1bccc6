// The storm-control bench (bench/README.md, issue 14): does a broadcast storm into a port with
// `storm_broadcast LIMIT` lower known-unicast throughput between two other ports? On the bench's lab,
// per FastBridge backend: RFC 2544 throughput gen -> sink alone, then again while mon sends broadcasts
// as fast as its generator can (or at --storm-rate) for the length of that search, no longer. Reports
// the ratio (the issue's bar: at least 0.9), the broadcasts forwarded per second against the limit, and
// the storm port's storm_control drops. The sink's port has bcast_flood off, so what the sink counts is
// the unicast alone; the admitted broadcasts still flood to gen, which counts them.
// Not a test: on a loaded machine its figures mean nothing. `run.sh storm --help` lists the options.
using System.Globalization;
using System.Text.Json;
using FastBridge.Datapath.Frames;
using FastBridge.Testing.Frames;
using FastBridge.Testing.Switches;
using FastBridge.Testing.Traffic;

namespace FastBridge.E2e;

/// <param name="StormRate">Broadcasts per second offered, 0: as fast as the generator goes (the default where the storm has a CPU of its own).</param>
/// <param name="StormCpu">The storm generator's CPU: 2 where the machine has it, else the unicast generator's (BenchOptions.GenCpu, 0).</param>
internal sealed record StormOptions(string[] Switches, double Limit, double StormRate, int StormCpu, int FrameSize, double TrialSeconds, int SearchSteps)
{
    /// <summary>A storm sharing the unicast generator's CPU goes at this rate, 100 times the default limit, so the unicast generator keeps most of its CPU.</summary>
    private const double SharedCpuStormRate = 100_000;

    public static StormOptions Parse(string[] args)
    {
        bool ownCpu = CpuTime.Read().Busy.Length > 2; // not ProcessorCount: run.sh confines the bench to CPU 0
        var options = new StormOptions([SwitchKind.FastBridgeAfXdp, SwitchKind.FastBridge], 1000, ownCpu ? 0 : SharedCpuStormRate, ownCpu ? 2 : 0, 64, 2, 7);
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            double Number(double min) => double.TryParse(Value(), CultureInfo.InvariantCulture, out double v) && v >= min ? v : throw new ArgumentException($"{args[i - 1]} needs a number of at least {min}");
            options = args[i] switch
            {
                "--switches" => options with { Switches = Value().Split(',') },
                "--limit" => options with { Limit = Number(1) },
                "--storm-rate" => options with { StormRate = Number(0) },
                "--storm-cpu" => options with { StormCpu = (int)Number(0) },
                "--size" => options with { FrameSize = (int)Number(64) is <= 1518 and int size ? size : throw new ArgumentException("--size is 64..1518") },
                "--trial-seconds" => options with { TrialSeconds = Number(0.1) },
                "--search-steps" => options with { SearchSteps = (int)Number(1) },
                _ => throw new ArgumentException($"unknown storm option '{args[i]}' (--switches {SwitchKind.FastBridgeAfXdp},{SwitchKind.FastBridge}, --limit FPS, " +
                    "--storm-rate FPS (0: as fast as it goes), --storm-cpu N, --size BYTES, --trial-seconds S, --search-steps N)"),
            };
        }
        string[] fastBridges = [SwitchKind.FastBridgeAfXdp, SwitchKind.FastBridge, SwitchKind.FastBridgeFastPath];
        if (options.Switches.FirstOrDefault(s => !fastBridges.Contains(s)) is string other)
        {
            throw new ArgumentException($"storm control is FastBridge's: '{other}' is not one of {string.Join(", ", fastBridges)}");
        }
        return options;
    }
}

internal static class StormControl
{
    /// <summary>The storm goes in slices this long, so it ends within one of the search's end.</summary>
    private const double StormSliceSeconds = 0.5;

    public static int Run(StormOptions storm, BenchOptions bench, string prefix)
    {
        bench = bench with { TrialSeconds = storm.TrialSeconds, SearchSteps = storm.SearchSteps, Switches = storm.Switches };
        Console.Error.WriteLine($"storm: limit {storm.Limit} broadcasts/s on mon's port; storm {(storm.StormRate == 0 ? "as fast as it goes" : $"at {storm.StormRate} fps")} " +
            $"on CPU {storm.StormCpu}, unicast on CPU {bench.GenCpu}, switch on CPU {bench.SwitchCpu}{(storm.StormCpu == bench.GenCpu ? " (shared with unicast: its offered rate falls too)" : "")}");
        bool allPassed = true;
        foreach (string kind in storm.Switches)
        {
            var sut = (FastBridgeSwitch)SwitchUnderTest.Create(kind, bench.SwitchSettings(prefix));
            BenchLab lab = BenchLab.Create(prefix, direct: false, hostGro: kind == SwitchKind.FastBridgeFastPath);
            try
            {
                sut.Start(lab.Prefix + "br", lab.Ports);
                allPassed &= Measure(sut, lab, storm, bench);
            }
            catch (Exception ex) // reported; the finally still removes the lab
            {
                Console.Error.WriteLine($"storm: {kind}: {ex.Message}");
                allPassed = false;
            }
            finally
            {
                sut.Dispose();
                lab.Dispose();
            }
        }
        return allPassed ? 0 : 1;
    }

    private static bool Measure(FastBridgeSwitch sut, BenchLab lab, StormOptions storm, BenchOptions bench)
    {
        (string genPort, string sinkPort, string monPort) = (lab.Ports[0], lab.Ports[1], lab.Ports[2]);
        Cli(sut, "port", "set", monPort, "storm_broadcast", storm.Limit.ToString(CultureInfo.InvariantCulture));
        Cli(sut, "port", "set", sinkPort, "bcast_flood", "off");
        var trial = new Trial(lab, bench);
        using FramePlan unicast = FramePlan.Create(storm.FrameSize, 1, _ => BenchLab.GenMac, _ => BenchLab.SinkMac);
        using FramePlan broadcasts = FramePlan.Create(storm.FrameSize, 1, _ => BenchLab.MonMac, _ => MacAddress.Broadcast);
        lab.SinkHello(bench.GenCpu);
        trial.Run(unicast, 0); // JIT, learning, caches: not counted
        Thread.Sleep(sut.Settle);

        double alone = trial.Throughput(unicast, trial.Run(unicast, 0));

        PortCount before = PortCount.Read(sut, monPort);
        ulong genRxBefore = BenchLab.RxPackets(lab.GenNs, lab.GenIf);
        long stormSent = 0;
        bool stop = false;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var stormThread = Task.Run(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                stormSent += Generator.Send(lab.MonNs, lab.MonIf, storm.StormCpu, broadcasts, storm.StormRate, StormSliceSeconds).Sent;
            }
        });
        double during;
        try
        {
            during = trial.Throughput(unicast, trial.Run(unicast, 0));
        }
        finally
        {
            Volatile.Write(ref stop, true);
            stormThread.Wait();
        }
        double stormSeconds = clock.Elapsed.TotalSeconds;
        Thread.Sleep(200); // the last broadcasts drain
        ulong forwarded = BenchLab.RxPackets(lab.GenNs, lab.GenIf) - genRxBefore;
        PortCount storming = PortCount.Read(sut, monPort).Since(before);
        // The limit holds per second of the poll loop's clock: a window of S seconds touches at most ceil(S) + 1 of them.
        double allowed = storm.Limit * (Math.Ceiling(stormSeconds) + 1);

        double ratio = alone > 0 ? during / alone : double.NaN;
        Console.Error.WriteLine($"storm: {sut.Kind,-20} {storm.FrameSize} B unicast {genPort} -> {sinkPort}: throughput {alone / 1e6:F3} Mfps alone, " +
            $"{during / 1e6:F3} Mfps in the storm, ratio {ratio:F3} (bar 0.9)");
        Console.Error.WriteLine($"storm: {sut.Kind,-20} storm into {monPort}: {stormSent} broadcasts sent in {stormSeconds:F1} s ({stormSent / stormSeconds / 1e3:F0}k fps), " +
            $"{storming.Received} received by the switch, {forwarded} forwarded ({forwarded / stormSeconds:F0}/s; limit {storm.Limit:F0}/s, at most {allowed:F0} in this window), " +
            $"storm_control drops {storming.StormDrops}, other drops {storming.Drops - storming.StormDrops}");
        return ratio >= 0.9 && forwarded <= allowed;
    }

    /// <summary>A port's received frames and drops (all, and storm_control's), from `fastbridge stats --json`.</summary>
    private sealed record PortCount(long Received, long Drops, long StormDrops)
    {
        public static PortCount Read(FastBridgeSwitch sut, string port)
        {
            using JsonDocument stats = sut.Stats();
            JsonElement entry = stats.RootElement.GetProperty("ports").EnumerateArray().First(p => p.GetProperty("name").GetString() == port);
            JsonElement drops = entry.GetProperty("drops");
            return new PortCount(entry.GetProperty("rxPackets").GetInt64(), drops.EnumerateObject().Sum(d => d.Value.GetInt64()),
                drops.TryGetProperty("storm_control", out JsonElement storm) ? storm.GetInt64() : 0);
        }

        public PortCount Since(PortCount earlier) => new(Received - earlier.Received, Drops - earlier.Drops, StormDrops - earlier.StormDrops);
    }

    private static void Cli(FastBridgeSwitch sut, params string[] args)
    {
        Testing.Processes.ProcessResult result = sut.Daemon.Cli(args);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(result.ToString());
        }
    }
}
