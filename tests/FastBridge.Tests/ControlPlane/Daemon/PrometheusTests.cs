using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace FastBridge.Tests.ControlPlane.Daemon;

/// <summary>/metrics as Prometheus sees it: promtool's lint on a live scrape, and a real server ingesting it.</summary>
[Collection(DaemonCollection.Name)]
public sealed class PrometheusTests
{
    private static readonly string[] s_families =
    [
        "fastbridge_port_rx_packets_total", "fastbridge_port_rx_bytes_total", "fastbridge_port_tx_packets_total",
        "fastbridge_port_tx_bytes_total", "fastbridge_port_drops_total", "fastbridge_port_up", "fastbridge_fdb_entries",
        "fastbridge_fdb_events_total", "fastbridge_worker_busy_ratio", "fastbridge_worker_batch_size", "fastbridge_worker_control_frames_total", "fastbridge_build_info",
        "process_cpu_seconds_total", "process_resident_memory_bytes", "dotnet_gc_collections_total",
        "dotnet_gc_pause_seconds_total", "dotnet_gc_allocated_bytes_total",
    ];

    [Fact]
    public async Task Metrics_LiveScrapeAfterTraffic_PassesPromtoolAndHasEveryFamily()
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
        Assert.Contains("fastbridge_worker_batch_size_bucket{le=\"+Inf\"}", text);
        Assert.Contains("fastbridge_port_drops_total{port=\"" + lab.Port(0) + "\",reason=\"rx_ring_full\"}", text);
        foreach (string used in DeployTests.MetricNamesUsed())
        {
            Assert.True(text.Contains(used + "{", StringComparison.Ordinal) || text.Contains(used + " ", StringComparison.Ordinal),
                $"deploy/ queries {used}, which /metrics does not serve");
        }
        (int exit, string output) = Run("promtool", ["check", "metrics"], stdin: text);
        Assert.True(exit == 0, $"promtool check metrics: exit {exit}\n{output}\n{text}");
        // Without --http-token-file, /metrics is all --http serves.
        using HttpResponseMessage status = await http.GetAsync($"http://127.0.0.1:{port}/status");
        Assert.Equal(HttpStatusCode.Forbidden, status.StatusCode);
        Assert.Contains("over --http only GET /metrics is served", await status.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Prometheus_ScrapingTheDaemon_SeesRxPacketsAfterTraffic()
    {
        using DaemonLab lab = DaemonLab.Create(2);
        int metricsPort = FreePort();
        int prometheusPort = FreePort();
        using FastBridgeDaemon daemon = FastBridgeDaemon.Start(lab.Socket, "--port", lab.Port(0), "--port", lab.Port(1), "--http", $"127.0.0.1:{metricsPort}");
        string config = lab.WriteFile("prometheus.yml", $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: fastbridge
                static_configs:
                  - targets: ['127.0.0.1:{metricsPort}']
            """);
        // Stopped (SIGTERM, then SIGKILL) when disposed.
        using var prometheus = new ChildProcess("prometheus",
            [$"--config.file={config}", $"--storage.tsdb.path={Path.Combine(lab.Directory.FullName, "tsdb")}", $"--web.listen-address=127.0.0.1:{prometheusPort}"]);
        SendFrames(lab, 10);
        using var http = new HttpClient();
        string query = $"http://127.0.0.1:{prometheusPort}/api/v1/query?query=" +
            Uri.EscapeDataString($"fastbridge_port_rx_packets_total{{port=\"{lab.Port(0)}\"}}");
        double value = 0;
        var deadline = Stopwatch.StartNew();
        string last = "";
        while (value <= 0 && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(500);
            try
            {
                last = await http.GetStringAsync(query);
            }
            catch (HttpRequestException)
            {
                continue; // not listening yet
            }
            using JsonDocument answer = JsonDocument.Parse(last);
            JsonElement result = answer.RootElement.GetProperty("data").GetProperty("result");
            if (result.GetArrayLength() > 0)
            {
                value = double.Parse(result[0].GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        Assert.True(value >= 10, $"fastbridge_port_rx_packets_total = {value} after {deadline.Elapsed}; last answer {last}\n{prometheus.Text}");
    }

    private static void SendFrames(DaemonLab lab, int count)
    {
        using RawSocket host = lab.OpenHost(0);
        for (int i = 0; i < count; i++)
        {
            host.Send(TestFrames.Sized(TestFrames.Mac("02:00:00:00:ee:02"), TestFrames.Mac("02:00:00:00:ee:01"), TestFrames.MinFrame));
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>FILE ARGS to the end (30 s at most), <paramref name="stdin"/> as its input; its exit code and what it printed.</summary>
    internal static (int Exit, string Output) Run(string file, string[] args, string? stdin = null)
    {
        ProcessResult result = ChildProcess.Run(file, args, TimeSpan.FromSeconds(30), stdin: stdin);
        return (result.ExitCode, result.Stdout + "\n" + result.Stderr);
    }
}
