using System.Net;
using System.Text.Json;
using FastBridge.Tests.ControlPlane.Daemon;

namespace FastBridge.Tests.ControlPlane.Metrics;

/// <summary>/metrics (prometheus-net) as Prometheus sees it: promtool's lint on a live scrape, and a real server scraping and querying it.</summary>
[Collection(DaemonCollection.Name)]
public sealed class PrometheusTests
{
    private static readonly string[] s_families =
    [
        "fastbridge_port_rx_packets_total", "fastbridge_port_rx_bytes_total", "fastbridge_port_tx_packets_total",
        "fastbridge_port_tx_bytes_total", "fastbridge_port_drops_total", "fastbridge_port_up", "fastbridge_fdb_entries",
        "fastbridge_fdb_events_total", "fastbridge_worker_busy_seconds_total", "fastbridge_worker_seconds_total", "fastbridge_worker_batch_size_frames",
        "fastbridge_worker_control_frames_total", "fastbridge_build_info",
        "process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes", "process_open_fds", "process_max_fds",
        "process_start_time_seconds", "dotnet_gc_collections_total", "dotnet_gc_pause_seconds_total", "dotnet_gc_allocated_bytes_total",
    ];

    [Fact]
    public async Task Metrics_LiveScrapesAfterTraffic_PassPromtoolHaveEveryFamilyAndResetNothing()
    {
        using DaemonLab lab = DaemonLab.Create(2);
        int port = FreePort();
        using FastBridgeDaemon daemon = FastBridgeDaemon.Start(lab.Socket, "--port", lab.Port(0), "--port", lab.Port(1), "--http", $"127.0.0.1:{port}");
        SendFrames(lab, 20);
        using var http = new HttpClient();

        using HttpResponseMessage response = await http.GetAsync($"http://127.0.0.1:{port}/metrics");
        string text = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        foreach (string family in s_families)
        {
            Assert.Contains($"# TYPE {family} ", text);
            Assert.Contains($"# HELP {family} ", text);
        }
        Assert.Matches("fastbridge_port_up\\{port=\"" + lab.Port(0) + "\",backend=\"(afxdp|afpacket)\"\\} 1", text);
        Assert.Contains("fastbridge_worker_batch_size_frames_bucket{le=\"+Inf\"}", text);
        Assert.DoesNotContain("fastbridge_worker_busy_ratio", text);
        Assert.Contains("fastbridge_port_drops_total{port=\"" + lab.Port(0) + "\",reason=\"rx_ring_full\"}", text);
        foreach (string used in DeployTests.MetricNamesUsed())
        {
            Assert.True(text.Contains(used + "{", StringComparison.Ordinal) || text.Contains(used + " ", StringComparison.Ordinal),
                $"deploy/ queries {used}, which /metrics does not serve");
        }
        (int exit, string output) = Run("promtool", ["check", "metrics"], stdin: text);
        Assert.True(exit == 0, $"promtool check metrics: exit {exit}\n{output}\n{text}");
        // A scrape leaves the counters as they were (busy_ratio was reset by each one).
        string second = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        foreach (string counter in (string[])["fastbridge_worker_busy_seconds_total{worker=\"0\"}", "fastbridge_worker_seconds_total{worker=\"0\"}"])
        {
            Assert.True(Sample(second, counter) >= Sample(text, counter), $"{counter} went back from\n{text}\nto\n{second}");
        }
        Assert.True(Sample(second, "fastbridge_worker_seconds_total{worker=\"0\"}") > 0, second);
        // Without --http-token-file, /metrics is all --http serves.
        using HttpResponseMessage status = await http.GetAsync($"http://127.0.0.1:{port}/status");
        Assert.Equal(HttpStatusCode.Forbidden, status.StatusCode);
        Assert.Contains("over --http only GET /metrics is served", await status.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Prometheus_ScrapingOneFrameBursts_ReadsP90OfOneFrameBusyCountersAndTheCommit()
    {
        using DaemonLab lab = DaemonLab.Create(2);
        int metricsPort = FreePort();
        using FastBridgeDaemon daemon = FastBridgeDaemon.Start(lab.Socket, "--port", lab.Port(0), "--port", lab.Port(1), "--http", $"127.0.0.1:{metricsPort}");
        using var prometheus = PrometheusServer.Start(lab.Directory.FullName, $"127.0.0.1:{metricsPort}");
        // Scraped before the traffic, so rate() has a sample from before it.
        await prometheus.WaitFor("up == 1");
        // One frame at a time, far enough apart that each is a burst of its own.
        const int Frames = 20;
        SendFrames(lab, Frames, gapMs: 20);

        // The first scrape after the last frame.
        (_, double rx) = await prometheus.WaitFor($"fastbridge_port_rx_packets_total{{port=\"{lab.Port(0)}\"}} >= {Frames}");
        (_, double p90) = await prometheus.WaitFor("histogram_quantile(0.9, fastbridge_worker_batch_size_frames_bucket)");
        (_, double p90Rate) = await prometheus.WaitFor("histogram_quantile(0.9, sum by (le) (rate(fastbridge_worker_batch_size_frames_bucket[1m])))");
        (_, double busy) = await prometheus.WaitFor("fastbridge_worker_busy_seconds_total > 0");
        // Between the last two scrapes: a window longer than the daemon has lived would dilute rate().
        (_, double wallRate) = await prometheus.WaitFor("irate(fastbridge_worker_seconds_total[1m])");
        (_, double busyShare) = await prometheus.WaitFor("rate(fastbridge_worker_busy_seconds_total[1m]) / rate(fastbridge_worker_seconds_total[1m])");
        (JsonElement build, _) = await prometheus.WaitFor("fastbridge_build_info");

        Assert.True(rx >= Frames, $"rx {rx}");
        Assert.Equal(1.0, p90);
        Assert.Equal(1.0, p90Rate);
        Assert.True(busy > 0, $"busy {busy}");
        Assert.InRange(wallRate, 0.5, 2); // wall-clock seconds a second, waits included (an idle loop's polling time is a few ms)
        Assert.InRange(busyShare, 0, 1);
        string commit = build.GetProperty("commit").GetString()!;
        Assert.Matches(Directory.Exists(DeployTests.Deploy("..", ".git")) || File.Exists(DeployTests.Deploy("..", ".git")) ? "^[0-9a-f]{40}$" : "^unknown$", commit);
    }

    /// <summary>The value of the sample that starts with <paramref name="series"/> (name and labels) in a scrape.</summary>
    private static double Sample(string scrape, string series) =>
        double.Parse(scrape.Split('\n').Single(l => l.StartsWith(series + " ", StringComparison.Ordinal))[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    private static void SendFrames(DaemonLab lab, int count, int gapMs = 0)
    {
        using RawSocket host = lab.OpenHost(0);
        for (int i = 0; i < count; i++)
        {
            host.Send(TestFrames.Sized(TestFrames.Mac("02:00:00:00:ee:02"), TestFrames.Mac("02:00:00:00:ee:01"), TestFrames.MinFrame));
            Thread.Sleep(gapMs);
        }
    }

    internal static int FreePort() => PrometheusServer.FreeLoopbackPort();

    /// <summary>FILE ARGS to the end (30 s at most), <paramref name="stdin"/> as its input; its exit code and what it printed.</summary>
    internal static (int Exit, string Output) Run(string file, string[] args, string? stdin = null)
    {
        ProcessResult result = ChildProcess.Run(file, args, TimeSpan.FromSeconds(30), stdin: stdin);
        return (result.ExitCode, result.Stdout + "\n" + result.Stderr);
    }
}
