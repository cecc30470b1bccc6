// A real Prometheus server for the metrics tests: scrapes one target every second into a TSDB in the
// test's directory, on a loopback port of its own, and answers PromQL over its HTTP API. Stopped
// (SIGTERM, then SIGKILL) when disposed. Needs the prometheus binary (scripts/deps.sh installs it).
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace FastBridge.Testing.Processes;

internal sealed class PrometheusServer : IDisposable
{
    private readonly ChildProcess _process;
    private readonly HttpClient _http = new();
    private readonly int _port;

    private PrometheusServer(ChildProcess process, int port)
    {
        _process = process;
        _port = port;
    }

    /// <summary>Starts scraping <paramref name="target"/> (host:port, /metrics) with files under <paramref name="directory"/>.</summary>
    public static PrometheusServer Start(string directory, string target)
    {
        string config = Path.Combine(directory, "prometheus.yml");
        File.WriteAllText(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: fastbridge
                static_configs:
                  - targets: ['{target}']
            """);
        int port = FreeLoopbackPort();
        var process = new ChildProcess("prometheus",
            [$"--config.file={config}", $"--storage.tsdb.path={Path.Combine(directory, "tsdb")}", $"--web.listen-address=127.0.0.1:{port}"]);
        return new PrometheusServer(process, port);
    }

    /// <summary>A TCP port nobody listens on now, on 127.0.0.1.</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// The first series <paramref name="promql"/> returns (its labels, its value), asked every half
    /// second until it returns one (30 s at most); throws with the last answer and the server's output.
    /// </summary>
    public async Task<(JsonElement Labels, double Value)> WaitFor(string promql)
    {
        string url = $"http://127.0.0.1:{_port}/api/v1/query?query={Uri.EscapeDataString(promql)}";
        string last = "";
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(500);
            try
            {
                last = await _http.GetStringAsync(url);
            }
            catch (HttpRequestException)
            {
                continue; // not listening yet
            }
            using JsonDocument answer = JsonDocument.Parse(last);
            JsonElement result = answer.RootElement.GetProperty("data").GetProperty("result");
            if (result.GetArrayLength() > 0)
            {
                return (result[0].GetProperty("metric").Clone(), double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture));
            }
        }
        throw new TimeoutException($"'{promql}' returned nothing in {waited.Elapsed}; last answer {last}\n{_process.Text}");
    }

    public void Dispose()
    {
        _http.Dispose();
        _process.Dispose();
    }
}
