// FastBridge as the switch under test: `dotnet fastbridge.dll run --port P... --ageing-time S
// --stats-interval 0 --workers 1`, ready when a stdout line contains "forwarding", stopped with
// SIGTERM and expected to exit 0 within 5 s. Its output goes into every failure message, and, when it
// was given a socket of its own (ApiArgs), what `fastbridge stats` says too.
using System.Globalization;
using System.Text.Json;

namespace FastBridge.Tests.Integration;

internal sealed class FastBridgeSwitch : ISwitchUnderTest
{
    public const string ReadyMarker = "forwarding";

    /// <summary>Start-up includes the JIT and opening every port; 15 s is far beyond a healthy start.</summary>
    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan s_cliTimeout = TimeSpan.FromSeconds(20);

    private readonly LongRunningProcess _process;
    private bool _stopped;

    private FastBridgeSwitch(LongRunningProcess process, string? socket)
    {
        _process = process;
        Socket = socket;
    }

    public int Pid => _process.Pid;

    /// <summary>The API socket given with --socket, so a test can ask the switch what it counted; null without.</summary>
    public string? Socket { get; }

    /// <summary>`--socket` and a path of its own, for a switch whose counters a test reads.</summary>
    public static string[] ApiArgs() => ["--socket", Path.Combine(Path.GetTempPath(), $"fbt-{Guid.NewGuid():N}.sock")];

    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "fastbridge.dll");

    /// <summary>The arguments after `dotnet`, for callers that start it themselves (the refusal tests).</summary>
    public static List<string> Arguments(IEnumerable<string> ports, int ageingSeconds, int workers = 1, string backend = "auto")
    {
        var args = new List<string> { DllPath, "run" };
        foreach (string port in ports)
        {
            args.Add("--port");
            args.Add(port);
        }

        args.AddRange(
        [
            "--ageing-time", ageingSeconds.ToString(CultureInfo.InvariantCulture),
            "--stats-interval", "0",
            "--workers", workers.ToString(CultureInfo.InvariantCulture),
            "--backend", backend,
        ]);
        return args;
    }

    /// <param name="extraArgs">More `fastbridge run` options, after the ones above.</param>
    public static FastBridgeSwitch Start(IReadOnlyList<string> ports, int ageingSeconds, int workers = 1, string backend = "auto", IReadOnlyList<string>? extraArgs = null)
    {
        Assert.True(File.Exists(DllPath), $"{DllPath} is missing; the test project should reference the ControlPlane project.");
        extraArgs ??= [];
        int socketAt = extraArgs.ToList().IndexOf("--socket");
        string? socket = socketAt >= 0 && socketAt + 1 < extraArgs.Count ? extraArgs[socketAt + 1] : null;
        var process = new LongRunningProcess(Tools.Dotnet, [.. Arguments(ports, ageingSeconds, workers, backend), .. extraArgs]);
        if (!process.WaitForLine(ReadyMarker, s_readyTimeout))
        {
            string why = process.HasExited
                ? $"exited with code {process.ExitCode} before saying '{ReadyMarker}'"
                : $"did not say '{ReadyMarker}' within {s_readyTimeout.TotalSeconds} s";
            string output = process.Output();
            process.Dispose();
            Assert.Fail($"fastbridge {why}\n{output}");
        }

        return new FastBridgeSwitch(process, socket);
    }

    public string Describe()
    {
        string output = _process.Output();
        if (_process.HasExited || Socket is null)
        {
            return output;
        }
        ProcessResult stats = Cli("stats");
        return $"{output}\n--- fastbridge stats ---\n{stats.Stdout.TrimEnd()}{stats.Stderr.TrimEnd()}";
    }

    /// <summary>A client command against this switch (`fastbridge ARGS --socket SOCKET`).</summary>
    public ProcessResult Cli(params string[] args) =>
        ExternalProcess.Run(Tools.Dotnet, [DllPath, .. args, "--socket", Socket ?? throw new InvalidOperationException("started without --socket")], s_cliTimeout);

    /// <summary>`fastbridge stats --json`: ports, workers and FDB counters.</summary>
    public JsonDocument Stats()
    {
        ProcessResult stats = Cli("stats", "--json");
        Assert.True(stats.ExitCode == 0, stats.ToString());
        return JsonDocument.Parse(stats.Stdout);
    }

    /// <summary>Waits for fastbridge's stderr (where it reports trouble) to contain <paramref name="text"/>.</summary>
    public bool WaitForStderr(string text, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!_process.Stderr().Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            Thread.Sleep(50);
        }
        return true;
    }

    public string? Stop()
    {
        if (_stopped)
        {
            return null;
        }

        _stopped = true;
        if (_process.HasExited)
        {
            return $"fastbridge had already exited with code {_process.ExitCode}\n{_process.Output()}";
        }

        if (!_process.Terminate(s_stopTimeout))
        {
            string output = _process.Output();
            _process.Kill();
            return $"fastbridge did not exit within {s_stopTimeout.TotalSeconds} s of SIGTERM; killed\n{output}";
        }

        return _process.ExitCode == 0
            ? null
            : $"fastbridge exited with code {_process.ExitCode} after SIGTERM\n{_process.Output()}";
    }

    public void Dispose()
    {
        Stop();
        _process.Dispose();
        if (Socket is not null)
        {
            File.Delete(Socket); // the daemon removes it on a clean exit; not after a kill
        }
    }
}
