// The switches the bench compares, each started on a fresh BenchLab's ports with its switching
// threads on the switch CPU, and stopped (by its own pid, nothing system-wide) when disposed.
// `none` is no switch: the generator's veth is paired straight with the sink's, the bench's limit.
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace FastBridge.E2e;

internal abstract class SwitchUnderTest : IDisposable
{
    public static readonly string[] All = ["fastbridge-afxdp", "fastbridge-afpacket", "linux-bridge", "ovs-afxdp", "none"];

    public abstract string Name { get; }

    /// <summary>True for `none`: the lab pairs generator and sink directly.</summary>
    public virtual bool Direct => false;

    public static SwitchUnderTest Create(string name, BenchOptions options) => name switch
    {
        "fastbridge-afxdp" => new FastBridgeUnderTest("afxdp", options),
        "fastbridge-afpacket" => new FastBridgeUnderTest("afpacket", options),
        "linux-bridge" => new LinuxBridgeUnderTest(),
        "ovs-afxdp" => new OvsUnderTest(options),
        "none" => new NoSwitch(),
        _ => throw new ArgumentException($"unknown switch '{name}' (one of {string.Join(", ", All)})"),
    };

    public abstract void Start(BenchLab lab);

    /// <summary>Empties the forwarding database (the RFC 2889 trials start from nothing learned).</summary>
    public abstract void FlushFdb();

    /// <summary>Garbage collections so far, all generations, where the switch is .NET; null otherwise.</summary>
    public virtual long? GcCollections() => null;

    public abstract void Dispose();
}

internal sealed class NoSwitch : SwitchUnderTest
{
    public override string Name => "none";

    public override bool Direct => true;

    public override void Start(BenchLab lab) { }

    public override void FlushFdb() { }

    public override void Dispose() { }
}

internal sealed class LinuxBridgeUnderTest : SwitchUnderTest
{
    private string? _bridge;

    public override string Name => "linux-bridge";

    public override void Start(BenchLab lab)
    {
        _bridge = lab.Prefix + "br";
        BenchLab.Run("ip", "link", "add", _bridge, "type", "bridge");
        BenchLab.Run("sysctl", "-qw", $"net.ipv6.conf.{_bridge}.disable_ipv6=1");
        foreach (string port in lab.Ports)
        {
            BenchLab.Run("ip", "link", "set", port, "master", _bridge);
        }
        BenchLab.Run("ip", "link", "set", _bridge, "up");
    }

    public override void FlushFdb() => BenchLab.Run("ip", "link", "set", "dev", _bridge!, "type", "bridge", "fdb_flush");

    public override void Dispose()
    {
        if (_bridge is not null)
        {
            BenchLab.TryRun("ip", "link", "del", _bridge);
            _bridge = null;
        }
    }
}

/// <summary>
/// `fastbridge run` from this build, its one poll loop on the switch CPU (--cpus) and every other thread
/// where the bench runs (the generator CPU), as OVS keeps its non-PMD threads off pmd-cpu-mask; metrics
/// on loopback for the GC count.
/// </summary>
internal sealed class FastBridgeUnderTest(string backend, BenchOptions options) : SwitchUnderTest
{
    private static readonly string s_dll = Path.Combine(AppContext.BaseDirectory, "fastbridge.dll");
    private readonly StringBuilder _output = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private Process? _process;
    private string _socket = "";
    private int _httpPort;

    public override string Name => "fastbridge-" + backend;

    public override void Start(BenchLab lab)
    {
        _socket = Path.Combine(Path.GetTempPath(), lab.Prefix + "fb.sock");
        _httpPort = 20000 + Environment.ProcessId % 20000;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { s_dll, "run", "--backend", backend, "--workers", "1", "--cpus", options.SwitchCpu.ToString(CultureInfo.InvariantCulture), "--stats-interval", options.StatsIntervalSeconds.ToString(CultureInfo.InvariantCulture), "--socket", _socket, "--http", $"127.0.0.1:{_httpPort}" })
        {
            start.ArgumentList.Add(arg);
        }
        foreach (string port in lab.Ports)
        {
            start.ArgumentList.Add("--port");
            start.ArgumentList.Add(port);
        }
        foreach (string arg in options.FastBridgeArgs)
        {
            start.ArgumentList.Add(arg);
        }
        using var ready = new ManualResetEventSlim();
        _process = Process.Start(start)!;
        DataReceivedEventHandler collect = (_, e) =>
        {
            lock (_output)
            {
                _output.AppendLine(e.Data);
            }
            if (e.Data?.Contains("forwarding", StringComparison.Ordinal) == true)
            {
                ready.Set();
            }
        };
        _process.OutputDataReceived += collect;
        _process.ErrorDataReceived += collect;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        if (!ready.Wait(TimeSpan.FromSeconds(20)))
        {
            Dispose();
            throw new InvalidOperationException($"{Name} did not start:\n{Output()}");
        }
    }

    public override void FlushFdb() => BenchLab.Run("dotnet", s_dll, "fdb", "flush", "--socket", _socket);

    /// <summary>A scrape of GET /metrics, as Prometheus would take it (one kept-alive connection).</summary>
    public string Metrics() => _http.GetStringAsync($"http://127.0.0.1:{_httpPort}/metrics").Result;

    public override long? GcCollections()
    {
        string metrics = Metrics();
        return metrics.Split('\n')
            .Where(line => line.StartsWith("dotnet_gc_collections_total{", StringComparison.Ordinal))
            .Sum(line => long.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    public string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    public override void Dispose()
    {
        if (options.Verbose && _process is { HasExited: false })
        {
            Console.Error.WriteLine(BenchLab.TryCapture("dotnet", s_dll, "stats", "--socket", _socket));
        }
        // SIGTERM: a clean stop restores the ports' offloads and promiscuity; SIGKILL only if it hangs.
        if (_process is { HasExited: false })
        {
            BenchLab.TryRun("kill", "-TERM", _process.Id.ToString(CultureInfo.InvariantCulture));
            if (!_process.WaitForExit(5000))
            {
                _process.Kill();
            }
        }
        if (options.Verbose && _process is not null)
        {
            Console.Error.WriteLine(Output());
        }
        _process?.Dispose();
        _process = null;
        _http.Dispose();
    }
}

/// <summary>Open vSwitch's userspace datapath with afxdp ports (bench/e2e/ovs.sh), its PMD thread on the switch CPU.</summary>
internal sealed class OvsUnderTest(BenchOptions options) : SwitchUnderTest
{
    private string? _runDir;
    private string _bridge = "";

    public override string Name => "ovs-afxdp";

    public override void Start(BenchLab lab)
    {
        _runDir = Path.Combine(Path.GetTempPath(), lab.Prefix + "ovs");
        _bridge = lab.Prefix + "ovs";
        string mask = "0x" + (1 << options.SwitchCpu).ToString("x", CultureInfo.InvariantCulture);
        BenchLab.Run([options.OvsScript, "start", _runDir, _bridge, mask, .. lab.Ports]);
    }

    public override void FlushFdb() => BenchLab.Run("ovs-appctl", "-t", Path.Combine(_runDir!, "ovs-vswitchd.ctl"), "fdb/flush", _bridge);

    public override void Dispose()
    {
        if (_runDir is not null)
        {
            BenchLab.TryRun(options.OvsScript, "stop", _runDir);
            Directory.Delete(_runDir, recursive: true);
            _runDir = null;
        }
    }
}
