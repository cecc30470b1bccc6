// FastBridge as the switch under test: `fastbridge run --port P... --ageing-time S --stats-interval N
// --workers W --backend B [--cpus C] [more]` from this build, ready when it says "forwarding", stopped
// with SIGTERM and expected to exit 0 within 5 s. Its output goes into every failure message, and, when
// it was given a socket of its own (ApiArgs), what `fastbridge stats` says too; with --http, /metrics.
using System.Globalization;
using System.Text.Json;
using FastBridge.ControlPlane.Lab;
using FastBridge.Testing.Processes;

namespace FastBridge.Testing.Switches;

internal sealed class FastBridgeSwitch(string backend, int workers, SwitchSettings settings, bool fastPath = false) : SwitchUnderTest
{
    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(5);

    private FastBridgeDaemon? _daemon;
    private HttpClient? _http;
    private bool _stopped;

    public override string Kind => fastPath ? SwitchKind.FastBridgeFastPath : workers == 1 ? $"fastbridge-{backend}" : $"fastbridge-{backend}-{workers}-workers";

    /// <summary>
    /// FastBridge receives on AF_PACKET, which hands it the host's unsegmented, checksum-less super-frames
    /// unless the host side does segmentation and checksums itself: send offloads off on each host end.
    /// With the fast path, GRO on there too, so the kernel can deliver the frames it redirects to the ports.
    /// </summary>
    public override Action<LabHost>? PrepareHost => fastPath ? PrepareFastPathHost : LabTopology.DisableHostSendOffloads;

    /// <summary>The fast path takes a station once the host's tick has mirrored the FDB into the kernel (once a second).</summary>
    public override TimeSpan Settle => fastPath ? TimeSpan.FromSeconds(1.5) : TimeSpan.Zero;

    /// <summary>Send offloads off and GRO on at a host's end: what a host needs for the fast path to reach it.</summary>
    public static void PrepareFastPathHost(LabHost host)
    {
        LabTopology.DisableHostSendOffloads(host);
        HostGro.Set(host.Namespace, host.HostInterface, on: true);
    }

    public FastBridgeDaemon Daemon => _daemon ?? throw new InvalidOperationException("fastbridge is not started");

    public int Pid => Daemon.Pid;

    public override IReadOnlyList<int> Processes => _daemon is null ? [] : [_daemon.Pid];

    /// <summary>`--socket` and a path of its own, for a switch whose counters a test reads.</summary>
    public static string[] ApiArgs() => ["--socket", Path.Combine(Path.GetTempPath(), $"fbt-{Guid.NewGuid():N}.sock")];

    /// <summary>The `fastbridge run` arguments for these ports, for callers that start it themselves (the refusal tests).</summary>
    public static List<string> Arguments(IEnumerable<string> ports, int ageingSeconds, int workers = 1, string backend = "auto", int statsIntervalSeconds = 0)
    {
        var args = new List<string>();
        foreach (string port in ports)
        {
            args.Add("--port");
            args.Add(port);
        }

        args.AddRange(
        [
            "--ageing-time", ageingSeconds.ToString(CultureInfo.InvariantCulture),
            "--stats-interval", statsIntervalSeconds.ToString(CultureInfo.InvariantCulture),
            "--workers", workers.ToString(CultureInfo.InvariantCulture),
            "--backend", backend,
        ]);
        return args;
    }

    /// <summary>FastBridge alone on these ports, for the tests of `fastbridge run` itself.</summary>
    /// <param name="extraArgs">More `fastbridge run` options, after the ones above.</param>
    public static FastBridgeSwitch Start(IReadOnlyList<string> ports, int ageingSeconds, string backend = "auto", IReadOnlyList<string>? extraArgs = null)
    {
        var fastBridge = new FastBridgeSwitch(backend, 1, new SwitchSettings { AgeingSeconds = ageingSeconds, FastBridgeArgs = extraArgs ?? [] });
        fastBridge.Start("fastbridge", ports);
        return fastBridge;
    }

    public override void Start(string name, IReadOnlyList<string> ports)
    {
        List<string> args = Arguments(ports, settings.AgeingSeconds, workers, backend, settings.StatsIntervalSeconds);
        if (settings.SwitchCpu is int cpu)
        {
            args.AddRange(["--cpus", cpu.ToString(CultureInfo.InvariantCulture)]);
        }

        // The other kinds are the poll loops alone (what they measured before the fast path), even where hosts have GRO on.
        args.AddRange(["--fast-path", fastPath ? "on" : "off"]);
        _daemon = FastBridgeDaemon.StartRun([.. args, .. settings.FastBridgeArgs]);
    }

    public override void FlushFdb()
    {
        ProcessResult flushed = Daemon.Cli("fdb", "flush");
        if (flushed.ExitCode != 0)
        {
            throw new InvalidOperationException(flushed.ToString());
        }
    }

    /// <summary>`vlan del` of everything the port is in, then `vlan add` of what it should be in (needs --vlan-filtering and a socket).</summary>
    public override void SetVlans(string port, PortVlanSpec vlans)
    {
        using JsonDocument shown = JsonDocument.Parse(CliChecked("vlan", "show", "--json"));
        foreach (JsonElement entry in shown.RootElement.EnumerateArray().Where(p => p.GetProperty("ifname").GetString() == port))
        {
            foreach (JsonElement vlan in entry.GetProperty("vlans").EnumerateArray())
            {
                CliChecked("vlan", "del", "dev", port, "vid", vlan.GetProperty("vlan").GetInt32().ToString(CultureInfo.InvariantCulture));
            }
        }
        if (vlans.Pvid is int pvid)
        {
            CliChecked("vlan", "add", "dev", port, "vid", pvid.ToString(CultureInfo.InvariantCulture), "pvid", "untagged");
        }
        foreach (int vlan in vlans.Tagged)
        {
            CliChecked("vlan", "add", "dev", port, "vid", vlan.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>A client command that must succeed; its stdout, else an exception with what it said.</summary>
    public string CliChecked(params string[] args)
    {
        ProcessResult result = Daemon.Cli(args);
        return result.ExitCode == 0 ? result.Stdout : throw new InvalidOperationException($"fastbridge {string.Join(' ', args)}: {result}");
    }

    public override void SetPortFlag(string port, string flag, bool on)
    {
        ProcessResult set = Daemon.Cli("port", "set", port, flag, on ? "on" : "off");
        if (set.ExitCode != 0)
        {
            throw new InvalidOperationException(set.ToString());
        }
    }

    public override void AddMirror(string name, IReadOnlyList<string> sources, string direction, string destination) =>
        CliChecked("mirror", "add", name, "--src", string.Join(',', sources), "--direction", direction, "--dst", destination);

    /// <summary>A scrape of GET /metrics (given --http), as Prometheus would take it: one kept-alive connection.</summary>
    public string Metrics()
    {
        _http ??= new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return _http.GetStringAsync($"http://{HttpEndpoint ?? throw new InvalidOperationException("started without --http")}/metrics").Result;
    }

    public override long? GcCollections() =>
        HttpEndpoint is null
            ? null
            : Metrics().Split('\n')
                .Where(line => line.StartsWith("dotnet_gc_collections_total{", StringComparison.Ordinal))
                .Sum(line => long.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    public override string Describe()
    {
        if (_daemon is null)
        {
            return "fastbridge is not started";
        }
        string output = _daemon.Output;
        if (_daemon.HasExited || _daemon.Socket is null)
        {
            return output;
        }
        ProcessResult stats = _daemon.Cli("stats");
        return $"{output}\n--- fastbridge stats ---\n{stats.Stdout}{stats.Stderr}";
    }

    /// <summary>`fastbridge stats --json`: ports, workers and FDB counters.</summary>
    public JsonDocument Stats()
    {
        ProcessResult stats = Daemon.Cli("stats", "--json");
        return stats.ExitCode == 0 ? JsonDocument.Parse(stats.Stdout) : throw new InvalidOperationException(stats.ToString());
    }

    /// <summary>Waits for fastbridge's stderr (where it reports trouble) to contain <paramref name="text"/>.</summary>
    public bool WaitForStderr(string text, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!Daemon.Process.Stderr().Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            Thread.Sleep(50);
        }
        return true;
    }

    public override string? Stop()
    {
        if (_stopped || _daemon is null)
        {
            return null;
        }

        _stopped = true;
        if (_daemon.HasExited)
        {
            return $"fastbridge had already exited with code {_daemon.ExitCode}\n{_daemon.Output}";
        }

        int? exitCode = _daemon.Terminate(s_stopTimeout);
        return exitCode switch
        {
            null => $"fastbridge did not exit within {s_stopTimeout.TotalSeconds} s of SIGTERM; killed\n{_daemon.Output}",
            0 => null,
            _ => $"fastbridge exited with code {exitCode} after SIGTERM\n{_daemon.Output}",
        };
    }

    public override void Dispose()
    {
        Stop();
        _daemon?.Dispose();
        _http?.Dispose();
        if (_daemon?.Socket is string socket)
        {
            File.Delete(socket); // the daemon removes it on a clean exit; not after a kill
        }
    }

    private string? HttpEndpoint
    {
        get
        {
            int at = settings.FastBridgeArgs.ToList().IndexOf("--http");
            return at >= 0 && at + 1 < settings.FastBridgeArgs.Count ? settings.FastBridgeArgs[at + 1] : null;
        }
    }
}
