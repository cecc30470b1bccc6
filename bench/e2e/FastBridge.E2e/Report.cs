// Writes what the run measured, untouched by hand: results.csv (every row, with its ratios to the
// Linux bridge, to OVS and to `none` in the same round), results.md (medians over rounds and median
// in-round ratios, with the method and the machine) and throughput.png (gnuplot, if installed).
using System.Globalization;
using System.Text;
using FastBridge.Testing.Processes;
using FastBridge.Testing.Switches;

namespace FastBridge.E2e;

internal static class Report
{
    private const string Bridge = "linux-bridge", Ovs = "ovs-afxdp", None = "none", Redirect = SwitchKind.XdpRedirect;

    public static void Write(BenchOptions options, Results results, DateTime started, string[] args)
    {
        Directory.CreateDirectory(options.OutputDirectory);
        WriteCsv(Path.Combine(options.OutputDirectory, "results.csv"), results);
        File.WriteAllText(Path.Combine(options.OutputDirectory, "results.md"), Markdown(options, results, started, args));
        WritePlot(options, results);
    }

    private static void WriteCsv(string path, Results results)
    {
        var csv = new StringBuilder("round,switch,frame_size,figure,value,ratio_linux_bridge,ratio_ovs_afxdp,ratio_none\n");
        foreach (Row r in results.Rows)
        {
            string Ratio(string peer) => F(r.Value / results.Get(r.Round, peer, r.Size, r.Figure), 4);
            csv.Append(CultureInfo.InvariantCulture, $"{r.Round},{r.Switch},{r.Size},{r.Figure},{F(r.Value, 3)},{Ratio(Bridge)},{Ratio(Ovs)},{Ratio(None)}\n");
        }
        File.WriteAllText(path, csv.ToString());
    }

    private static string Markdown(BenchOptions options, Results results, DateTime started, string[] args)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# End-to-end forwarding benchmark, {started:yyyy-MM-dd HH:mm} UTC");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Command: `bench/e2e/run.sh {string.Join(' ', args)}`. Machine: {Machine()}.");
        md.AppendLine(CultureInfo.InvariantCulture, $"{options.Rounds} round(s), switches interleaved in each round ({string.Join(", ", options.Switches)} in round 1, the order turned by one each round); trials of {options.TrialSeconds} s; " +
            $"RFC 2544 throughput = highest offered rate with loss <= {Trial.LossBar * 100}% ({options.SearchSteps} binary-search steps); " +
            $"latency p50/p99 from kernel receive timestamps at {options.LowRate / 1e3:F0}k and {options.ModerateRate / 1e3:F0}k frames/s; " +
            $"generator on CPU {options.GenCpu}, switch threads on CPU {options.SwitchCpu}. Figures are medians over rounds; ratios are medians of in-round ratios. " +
            $"Frame sizes include the 4-byte FCS veth does not carry.");
        md.AppendLine();
        foreach (int size in options.Sizes)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"## {size}-byte frames");
            md.AppendLine();
            md.AppendLine("| switch | throughput (Mfps) | vs bridge | vs OVS | vs none | max-load fwd (Mfps) | p50/p99 low (µs) | p50/p99 moderate (µs) | loss at moderate | CPU ms/Mframe moderate | vs bridge | vs OVS | CPU ms/Mframe max load | gen/switch CPU busy at max load |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (string sut in options.Switches)
            {
                double M(string figure) => results.Median(sut, size, figure);
                string R(string peer, string figure) => sut == peer ? "" : F(results.MedianRatio(sut, peer, size, figure), 2) + "x";
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {sut} | {F(M(Figures.Throughput) / 1e6, 3)} | {R(Bridge, Figures.Throughput)} | {R(Ovs, Figures.Throughput)} | {R(None, Figures.Throughput)} " +
                    $"| {F(M(Figures.MaxLoadForwarded) / 1e6, 3)} | {F(M(Figures.LatencyLowP50), 0)} / {F(M(Figures.LatencyLowP99), 0)} " +
                    $"| {F(M(Figures.LatencyModerateP50), 0)} / {F(M(Figures.LatencyModerateP99), 0)} | {F(M(Figures.ModerateLoss), 2)}% " +
                    $"| {F(M(Figures.CpuModerate), 0)} | {R(Bridge, Figures.CpuModerate)} | {R(Ovs, Figures.CpuModerate)} " +
                    $"| {F(M(Figures.CpuMax), 0)} | {F(M(Figures.GenCpuBusyMax), 0)}% / {F(M(Figures.SwitchCpuBusyMax), 0)}% |");
            }
            md.AppendLine();
            if (options.Switches.Contains(Redirect))
            {
                AppendRedirectRatios(md, options, results, size);
            }
        }
        md.AppendLine("## RFC 2889 (64-byte frames) and garbage collection");
        md.AppendLine();
        md.AppendLine("| switch | address caching capacity | learning rate (addresses/s) | GC collections while forwarding, after warm-up |");
        md.AppendLine("|---|---:|---:|---:|");
        foreach (string sut in options.Switches.Where(s => s != None))
        {
            double capacity = results.Median(sut, 64, Figures.CachingCapacity);
            double atLeast = results.Median(sut, 64, Figures.CachingCapacityAtLeast);
            string capacityText = double.IsNaN(capacity) ? (double.IsNaN(atLeast) ? "-" : ">= " + F(atLeast, 0)) : F(capacity, 0);
            md.AppendLine(CultureInfo.InvariantCulture, $"| {sut} | {capacityText} | {F(results.Median(sut, 64, Figures.LearningRate), 0)} | {F(results.Median(sut, 0, Figures.GcCollections), 0)} |");
        }
        md.AppendLine();
        if (options.Switches.Contains(SwitchKind.FastBridgeFastPath))
        {
            md.AppendLine("Frames FastBridge's ports received per round in the measured trials (after the warm-up), through the XDP fast path and through the poll loops (medians):");
            md.AppendLine(CultureInfo.InvariantCulture,
                $"{F(results.Median(SwitchKind.FastBridgeFastPath, 0, Figures.FastPathFrames), 0)} fast path, {F(results.Median(SwitchKind.FastBridgeFastPath, 0, Figures.PollLoopFrames), 0)} poll loops.");
            md.AppendLine();
        }
        string[] errors = results.Rows.Where(r => r.Figure == "error").Select(r => $"round {r.Round} {r.Switch}").ToArray();
        if (errors.Length > 0)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"Failed (see the run's log): {string.Join(", ", errors)}.");
        }
        md.AppendLine("Every figure per round, with in-round ratios: results.csv. Throughput by frame size: throughput.png.");
        return md.ToString();
    }

    /// <summary>
    /// Each switch's throughput against the bare XDP redirect's in the same round: the bound of any XDP fast path on these
    /// ports, and the fast path's bar where the redirect is below the Linux bridge (issue 12).
    /// </summary>
    private static void AppendRedirectRatios(StringBuilder md, BenchOptions options, Results results, int size)
    {
        md.AppendLine("Throughput in-round ratio to the bare XDP redirect (xdp-redirect), median (each round in order):");
        md.AppendLine();
        foreach (string sut in options.Switches.Where(s => s != Redirect))
        {
            double[] ratios = results.Ratios(sut, Redirect, size, Figures.Throughput);
            md.AppendLine(CultureInfo.InvariantCulture,
                $"- {sut}: {F(Results.MedianOf(ratios), 2)}x ({string.Join(", ", ratios.Select(r => F(r, 2) + "x"))})");
        }
        md.AppendLine();
    }

    private static void WritePlot(BenchOptions options, Results results)
    {
        var data = new StringBuilder("size " + string.Join(' ', options.Switches) + "\n");
        foreach (int size in options.Sizes)
        {
            data.Append(CultureInfo.InvariantCulture, $"{size} {string.Join(' ', options.Switches.Select(s => F(results.Median(s, size, Figures.Throughput) / 1e6, 4)))}\n");
        }
        File.WriteAllText(Path.Combine(options.OutputDirectory, "throughput.dat"), data.ToString());
        string script = $"""
            set terminal pngcairo size 1000,560
            set output 'throughput.png'
            set title 'RFC 2544 throughput (loss <= 0.1%) by frame size'
            set ylabel 'million frames per second'
            set xlabel 'frame size (bytes)'
            set style data histograms
            set style histogram clustered gap 1
            set style fill solid border -1
            set key outside right
            set grid ytics
            set yrange [0:*]
            plot for [i=2:{options.Switches.Length + 1}] 'throughput.dat' using i:xtic(1) title columnheader
            """;
        File.WriteAllText(Path.Combine(options.OutputDirectory, "throughput.gp"), script + "\n");
        string directory = Path.GetFullPath(options.OutputDirectory);
        if (ChildProcess.TryRun("gnuplot", ["-e", $"cd '{directory}'", Path.Combine(directory, "throughput.gp")], TimeSpan.FromSeconds(20)) is not { ExitCode: 0 })
        {
            Console.Error.WriteLine("e2e: gnuplot failed or is missing; throughput.gp and throughput.dat are written, the plot is not");
        }
    }

    internal static string Machine()
    {
        string cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        string kernel = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        string ovs = ChildProcess.TryRun("ovs-vswitchd", ["--version"], TimeSpan.FromSeconds(20)) is { ExitCode: 0 } version
            ? version.Stdout.Split('\n')[0].Trim()
            : "OVS not installed";
        long memoryGiB = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes >> 30;
        return $"{CpuTime.Read().Busy.Length} x {cpu}, {memoryGiB} GiB, Linux {kernel}, .NET {Environment.Version}, {ovs}";
    }

    internal static string F(double value, int decimals) => double.IsFinite(value) ? value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : "-";
}
