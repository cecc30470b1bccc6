// What one run of the bench measures and how hard it looks; `--quick` trades precision for time.
using System.Globalization;
using FastBridge.Testing.Switches;

namespace FastBridge.E2e;

internal sealed record BenchOptions
{
    /// <summary>Every switch the bench compares, in the order it runs them.</summary>
    public static readonly string[] AllSwitches =
        [SwitchKind.FastBridgeAfXdp, SwitchKind.FastBridge, SwitchKind.FastBridgeFastPath, SwitchKind.LinuxBridge, SwitchKind.OvsAfXdp, SwitchKind.XdpRedirect, SwitchKind.None];

    public string[] Switches { get; init; } = AllSwitches;

    /// <summary>
    /// GRO on at every host end, for every switch of the run, when the fast path or its bare-redirect reference is in it:
    /// the kernel delivers XDP redirects to a veth only where the peer has GRO (README), and the comparison stays fair.
    /// </summary>
    public bool HostGro => Switches.Contains(SwitchKind.FastBridgeFastPath) || Switches.Contains(SwitchKind.XdpRedirect);

    /// <summary>RFC 2544 frame sizes, FCS included (the frames on veth are 4 bytes shorter).</summary>
    public int[] Sizes { get; init; } = [64, 512, 1518];

    public int Rounds { get; init; } = 2;

    public double TrialSeconds { get; init; } = 2;

    public int SearchSteps { get; init; } = 7;

    /// <summary>Latency is measured at these offered rates (frames per second).</summary>
    public double LowRate { get; init; } = 10_000;

    public double ModerateRate { get; init; } = 100_000;

    public double ProbesPerSecond { get; init; } = 2_000;

    public int CachingCap { get; init; } = 131_072;

    public int CachingBisectSteps { get; init; } = 4;

    /// <summary>Addresses in a learning-rate trial (capped by the switch's caching capacity).</summary>
    public int LearningAddresses { get; init; } = 4096;

    public int GenCpu { get; init; }

    public int SwitchCpu { get; init; } = 1;

    /// <summary>bench/e2e/ovs.sh, copied beside the program by the build, so the bench runs from any directory.</summary>
    public string OvsScript { get; init; } = Path.Combine(AppContext.BaseDirectory, "ovs.sh");

    public string OutputDirectory { get; init; } = "";

    public bool Quick { get; init; }

    /// <summary>Print each FastBridge's own `fastbridge stats` before it is stopped (drops by reason, batch sizes).</summary>
    public bool Verbose { get; init; }

    /// <summary>One more maximum-load trial per switch and size under `perf record` (CpuProfile).</summary>
    public bool Profile { get; init; }

    /// <summary>FastBridge's --stats-interval: 0 in the bench; the soak keeps the daemon's default of 5 s, as deployed.</summary>
    public int StatsIntervalSeconds { get; init; }

    /// <summary>Extra arguments for `fastbridge run` (e.g. `--idle busy`), split on spaces.</summary>
    public string[] FastBridgeArgs { get; init; } = [];

    /// <summary>
    /// How the bench sets up each switch: its forwarding thread on the switch CPU and every other thread where the
    /// bench runs (the generator CPU), as OVS keeps its non-PMD threads off pmd-cpu-mask; FastBridge with a socket
    /// of its own (for `fdb flush`) and metrics on loopback (for the GC count), both named after the run's prefix.
    /// </summary>
    public SwitchSettings SwitchSettings(string prefix) => new()
    {
        SwitchCpu = SwitchCpu,
        StatsIntervalSeconds = StatsIntervalSeconds,
        OvsScript = OvsScript,
        FastBridgeArgs =
        [
            "--socket", Path.Combine(Path.GetTempPath(), prefix + "fb.sock"),
            "--http", $"127.0.0.1:{(20000 + Environment.ProcessId % 20000).ToString(CultureInfo.InvariantCulture)}",
            .. FastBridgeArgs,
        ],
    };

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--quick" => options with
                {
                    Quick = true,
                    Rounds = 1,
                    Sizes = [64, 1518],
                    TrialSeconds = 0.5,
                    SearchSteps = 4,
                    CachingCap = 8192,
                    CachingBisectSteps = 0,
                    LearningAddresses = 1024,
                },
                "--switches" => options with { Switches = Value().Split(',') },
                "--sizes" => options with { Sizes = Value().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray() },
                "--rounds" => options with { Rounds = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--trial-seconds" => options with { TrialSeconds = double.Parse(Value(), CultureInfo.InvariantCulture) },
                "--out" => options with { OutputDirectory = Value() },
                "--verbose" => options with { Verbose = true },
                "--profile" => options with { Profile = true },
                "--fastbridge-args" => options with { FastBridgeArgs = Value().Split(' ', StringSplitOptions.RemoveEmptyEntries) },
                _ => throw new ArgumentException($"unknown option '{args[i]}' (--quick, --switches a,b, --sizes 64,512, --rounds N, --trial-seconds S, --out DIR, --fastbridge-args \"--idle busy\", --verbose, --profile)"),
            };
        }
        foreach (string name in options.Switches)
        {
            if (!AllSwitches.Contains(name))
            {
                throw new ArgumentException($"unknown switch '{name}' (one of {string.Join(", ", AllSwitches)})");
            }
        }
        if (options.Sizes.Any(s => s is < 64 or > 1518))
        {
            throw new ArgumentException("frame sizes must be 64..1518 bytes (the ports' MTU is 1500)");
        }
        return options;
    }
}
