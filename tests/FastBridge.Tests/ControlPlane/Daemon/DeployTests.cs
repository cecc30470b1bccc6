using System.Text.Json;
using System.Text.RegularExpressions;
using FastBridge.ControlPlane.Daemon;
using FastBridge.Tests.ControlPlane.Install;
using FastBridge.Tests.ControlPlane.Metrics;

namespace FastBridge.Tests.ControlPlane.Daemon;

/// <summary>deploy/: the systemd unit, the example config, the Prometheus config and rules, the dashboard.</summary>
public sealed partial class DeployTests
{
    internal static string Deploy(params string[] parts) => RepositoryFiles.Path(["deploy", .. parts]);

    /// <summary>Every metric name the rules and the dashboard query (Prometheus's own `up` and recorded level:metric:operation names aside).</summary>
    internal static IEnumerable<string> MetricNamesUsed() =>
        new[] { Deploy("prometheus", "fastbridge.rules.yml"), Deploy("grafana", "fastbridge-dashboard.json") }
            .SelectMany(f => MetricName().Matches(File.ReadAllText(f)).Select(m => m.Value))
            .Distinct();

    [GeneratedRegex(@"(?<![:\w])(fastbridge|process|dotnet)_[a-z_]+(?![:\w])")]
    private static partial Regex MetricName();

    [Fact]
    public void AlertRules_PassPromtoolCheckAndTheirUnitTests()
    {
        (int check, string checkOutput) = PrometheusTests.Run("promtool", ["check", "rules", Deploy("prometheus", "fastbridge.rules.yml")]);
        Assert.True(check == 0, checkOutput);
        (int test, string testOutput) = PrometheusTests.Run("promtool", ["test", "rules", Deploy("prometheus", "fastbridge.rules.test.yml")]);
        Assert.True(test == 0, testOutput);
        (int config, string configOutput) = PrometheusTests.Run("promtool", ["check", "config", Deploy("prometheus", "prometheus.yml")]);
        Assert.True(config == 0, configOutput);
        string rules = File.ReadAllText(Deploy("prometheus", "fastbridge.rules.yml"));
        Assert.Contains("alert: FastBridgeDropsRising", rules);
        Assert.Contains("alert: FastBridgePortDown", rules);
        Assert.Contains("alert: FastBridgeFdbNearlyFull", rules);
        Assert.Contains("alert: FastBridgeWorkerSaturated", rules);
    }

    [Fact]
    public void ExampleConfig_LoadsWithEveryKey()
    {
        DaemonConfig config = DaemonConfig.Load(Deploy("fastbridge.example.json"), new Dictionary<string, string?>());

        Assert.Equal(2, config.Ports.Count);
        Assert.Single(config.StaticFdb);
        Assert.Equal("127.0.0.1:9470", config.Http?.ToString());
    }

    [Fact]
    public void SystemdUnit_GrantsOnlyNetworkCapabilities()
    {
        string unit = File.ReadAllText(Deploy("systemd", "fastbridge.service"));
        string Value(string key) => unit.Split('\n').Single(l => l.StartsWith(key + "=", StringComparison.Ordinal))[(key.Length + 1)..];

        Assert.Equal(["CAP_BPF", "CAP_NET_ADMIN", "CAP_NET_RAW"], Value("CapabilityBoundingSet").Split(' ').Order());
        Assert.Equal(Value("CapabilityBoundingSet"), Value("AmbientCapabilities"));
        Assert.Equal("/bin/kill -HUP $MAINPID", Value("ExecReload"));
        Assert.Contains("--config /etc/fastbridge/fastbridge.json", Value("ExecStart"));
        // Readiness and the watchdog come from the daemon (ServiceNotifierTests); a switch comes up before the network.
        Assert.Equal("notify", Value("Type"));
        Assert.Equal("10s", Value("WatchdogSec"));
        Assert.Contains("network-pre.target", Value("Before"));
        Assert.DoesNotContain("network-online.target", unit);
    }

    [Fact]
    public void Dashboard_IsGrafanaJsonWithAPanelPerConcern()
    {
        using JsonDocument dashboard = JsonDocument.Parse(File.ReadAllText(Deploy("grafana", "fastbridge-dashboard.json")));
        JsonElement root = dashboard.RootElement;

        Assert.Equal("fastbridge", root.GetProperty("uid").GetString());
        string[] expressions = [.. root.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!)];
        foreach (string family in (string[])["fastbridge_port_rx_packets_total", "fastbridge_port_drops_total", "fastbridge_port_up",
            "fastbridge_fdb_entries", "fastbridge_fdb_events_total", "fastbridge_worker_busy_seconds_total", "fastbridge_worker_seconds_total",
            "fastbridge_worker_batch_size_frames_bucket",
            "process_cpu_seconds_total", "process_resident_memory_bytes", "dotnet_gc_collections_total"])
        {
            Assert.Contains(expressions, e => e.Contains(family, StringComparison.Ordinal));
        }
        // $instance is multi-select: a legend without the instance cannot tell two switches apart.
        string[] legends = [.. root.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("legendFormat").GetString()!)];
        Assert.All(legends, legend => Assert.Contains("{{instance}}", legend, StringComparison.Ordinal));
    }
}
