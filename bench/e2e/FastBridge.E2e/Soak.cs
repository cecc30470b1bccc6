// The soak (bench/soak/run.sh, bench/README.md): FastBridge on the bench's lab for N minutes with
// paced traffic from gen to sink, /metrics scraped every 30 s as Prometheus would, and each minute's
// loss, RSS, garbage collections by generation, GC pause time, bytes allocated and FDB size reported.
// Not a test: it runs for minutes and writes bench/soak/results/<date>/ (results.md, results.csv).
using System.Globalization;
using FastBridge.Testing.Frames;
using FastBridge.Testing.Switches;
using FastBridge.Testing.Traffic;

namespace FastBridge.E2e;

internal sealed record SoakOptions(int Minutes, double Rate, string Backend, double ScrapeSeconds, int FrameSize, string OutputDirectory)
{
    public static SoakOptions Parse(string[] args)
    {
        var options = new SoakOptions(10, 50_000, "afxdp", 30, 64, "");
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            double Number() => double.TryParse(Value(), CultureInfo.InvariantCulture, out double v) && v > 0 ? v : throw new ArgumentException($"{args[i - 1]} needs a positive number");
            string Backend(string name) => name is "afxdp" or "afpacket" ? name : throw new ArgumentException($"--backend is afxdp or afpacket, not '{name}'");
            options = args[i] switch
            {
                "--minutes" => options with { Minutes = (int)Math.Ceiling(Number()) },
                "--rate" => options with { Rate = Number() },
                "--backend" => options with { Backend = Backend(Value()) },
                "--scrape-seconds" => options with { ScrapeSeconds = Number() },
                "--size" => options with { FrameSize = (int)Number() is >= 64 and <= 1518 and int size ? size : throw new ArgumentException("--size is 64..1518") },
                "--out" => options with { OutputDirectory = Value() },
                _ => throw new ArgumentException($"unknown soak option '{args[i]}' (--minutes N, --rate FPS, --backend afxdp|afpacket, --scrape-seconds S, --size BYTES, --out DIR)"),
            };
        }
        return options;
    }
}

/// <summary>One minute of the soak. Collections, pause and allocation are the minute's increase; RSS and FDB at its end.</summary>
internal sealed record SoakMinute(int Minute, long Sent, long Received, double RssMiB, long Gen0, long Gen1, long Gen2, double PauseMs, double AllocatedKiB, double FdbEntries, string Drops)
{
    public long Lost => Sent - Received;
}

internal static class Soak
{
    private static readonly TimeSpan s_drain = TimeSpan.FromMilliseconds(200);

    public static int Run(SoakOptions soak, BenchOptions bench, string prefix)
    {
        var sut = (FastBridgeSwitch)SwitchUnderTest.Create("fastbridge-" + soak.Backend, (bench with { StatsIntervalSeconds = 5 }).SwitchSettings(prefix));
        BenchLab lab = BenchLab.Create(prefix, direct: false);
        var minutes = new List<SoakMinute>();
        var started = DateTime.UtcNow;
        try
        {
            sut.Start(lab.Prefix + "br", lab.Ports);
            using FramePlan plan = FramePlan.Create(soak.FrameSize, 1, _ => BenchLab.GenMac, _ => BenchLab.SinkMac);
            Scrape last = Scrape.Take(sut);
            long perMinute = (long)(soak.Rate * 60);
            for (int minute = 1; minute <= soak.Minutes; minute++)
            {
                // The sink only receives: its hello each minute keeps its FDB entry from ageing out (300 s) into floods.
                lab.SinkHello(bench.GenCpu);
                ulong before = BenchLab.RxPackets(lab.SinkNs, lab.SinkIf);
                // The generator sends this minute's frames on its own thread; this one scrapes as Prometheus would.
                var send = Task.Run(() => Generator.Send(lab.GenNs, lab.GenIf, bench.GenCpu, plan, soak.Rate, 70, count: perMinute));
                var clock = System.Diagnostics.Stopwatch.StartNew();
                for (double next = soak.ScrapeSeconds; next < 60; next += soak.ScrapeSeconds)
                {
                    Thread.Sleep(TimeSpan.FromSeconds(Math.Max(0, next - clock.Elapsed.TotalSeconds)));
                    _ = sut.Metrics();
                }
                SendResult sent = send.Result;
                Thread.Sleep(s_drain);
                long received = (long)(BenchLab.RxPackets(lab.SinkNs, lab.SinkIf) - before);
                Scrape now = Scrape.Take(sut);
                SoakMinute row = now.Since(last, minute, sent.Sent, received);
                last = now;
                minutes.Add(row);
                Console.Error.WriteLine($"soak: minute {minute}: sent {row.Sent}, lost {row.Lost}, RSS {row.RssMiB:F1} MiB, GC gen0/1/2 +{row.Gen0}/+{row.Gen1}/+{row.Gen2}, " +
                    $"pause +{row.PauseMs:F2} ms, allocated +{row.AllocatedKiB:F0} KiB, fdb {row.FdbEntries}, drops {row.Drops}");
            }
        }
        finally
        {
            sut.Dispose();
            lab.Dispose();
        }
        SoakReport.Write(soak, minutes, started);
        Console.Error.WriteLine($"soak: results in {soak.OutputDirectory}");
        return minutes.Sum(m => m.Lost) == 0 ? 0 : 1;
    }

    /// <summary>The /metrics series the soak reads, from one scrape.</summary>
    private sealed record Scrape(Dictionary<string, double> Series)
    {
        public static Scrape Take(FastBridgeSwitch sut)
        {
            var series = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (string line in sut.Metrics().Split('\n'))
            {
                int space = line.LastIndexOf(' ');
                if (line.Length > 0 && line[0] != '#' && space > 0 && double.TryParse(line.AsSpan(space + 1), CultureInfo.InvariantCulture, out double value))
                {
                    series[line[..space]] = value;
                }
            }
            return new Scrape(series);
        }

        private double Get(string name) => Series.GetValueOrDefault(name, double.NaN);

        /// <summary>Frames the switch dropped since <paramref name="earlier"/>, summed over ports by reason ("rx_ring_full 120"), or "0".</summary>
        private string DropsSince(Scrape earlier)
        {
            const string Family = "fastbridge_port_drops_total{";
            var byReason = new SortedDictionary<string, double>(StringComparer.Ordinal);
            foreach ((string series, double value) in Series)
            {
                if (series.StartsWith(Family, StringComparison.Ordinal))
                {
                    string reason = series[(series.IndexOf("reason=\"", StringComparison.Ordinal) + 8)..^2];
                    byReason[reason] = byReason.GetValueOrDefault(reason) + value - earlier.Series.GetValueOrDefault(series);
                }
            }
            string drops = string.Join(", ", byReason.Where(r => r.Value != 0).Select(r => $"{r.Key} {r.Value:F0}"));
            return drops.Length == 0 ? "0" : drops;
        }

        public SoakMinute Since(Scrape earlier, int minute, long sent, long received)
        {
            long Collections(int generation) => (long)(Get($"dotnet_gc_collections_total{{generation=\"{generation}\"}}") - earlier.Get($"dotnet_gc_collections_total{{generation=\"{generation}\"}}"));
            return new SoakMinute(minute, sent, received, Get("process_resident_memory_bytes") / (1 << 20),
                Collections(0), Collections(1), Collections(2),
                (Get("dotnet_gc_pause_seconds_total") - earlier.Get("dotnet_gc_pause_seconds_total")) * 1000,
                (Get("dotnet_gc_allocated_bytes_total") - earlier.Get("dotnet_gc_allocated_bytes_total")) / 1024,
                Get("fastbridge_fdb_entries"), DropsSince(earlier));
        }
    }
}
