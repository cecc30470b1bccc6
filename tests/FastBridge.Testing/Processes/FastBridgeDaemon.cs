// `fastbridge run` from this build as a child process (`dotnet fastbridge.dll run ...`), and the CLI
// run against it the same way: the daemon tests' daemon, the integration tests' and the e2e bench's
// switch under test. Output is kept line by line for waits and failure messages; Dispose sends
// SIGTERM and kills whatever is left after 5 s.
namespace FastBridge.Testing.Processes;

internal sealed class FastBridgeDaemon : IDisposable
{
    /// <summary>What `fastbridge run` prints once every port forwards.</summary>
    public const string ReadyMarker = "forwarding";

    /// <summary>Start-up includes the JIT and opening every port; 20 s is far beyond a healthy start.</summary>
    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(20);

    /// <summary>A client command answers in milliseconds; 30 s is a hang, even on a busy 2-core machine.</summary>
    private static readonly TimeSpan s_cliTimeout = TimeSpan.FromSeconds(30);

    private FastBridgeDaemon(ChildProcess process, string? socket)
    {
        Process = process;
        Socket = socket;
    }

    /// <summary>fastbridge.dll beside the running assembly: the project references the ControlPlane, so the build under test.</summary>
    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "fastbridge.dll");

    public ChildProcess Process { get; }

    /// <summary>The API socket given with --socket, for Cli; null without (the daemon then uses its default).</summary>
    public string? Socket { get; }

    public int Pid => Process.Pid;

    public bool HasExited => Process.HasExited;

    public int ExitCode => Process.ExitCode;

    /// <summary>Everything it printed, stdout and stderr, line by line as it came.</summary>
    public string Output => Process.Text;

    /// <summary>`fastbridge run --socket SOCKET --stats-interval 0 ARGS`, once it says it is forwarding (the daemon tests' form).</summary>
    public static FastBridgeDaemon Start(string socket, params string[] args) => Start(socket, null, args);

    public static FastBridgeDaemon Start(string socket, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        StartRun(["--socket", socket, "--stats-interval", "0", .. args], environment);

    /// <summary>As Start, without waiting: for refusals.</summary>
    public static FastBridgeDaemon Launch(string socket, params string[] args) => Launch(socket, null, args);

    public static FastBridgeDaemon Launch(string socket, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        LaunchRun(["--socket", socket, "--stats-interval", "0", .. args], environment);

    /// <summary>`fastbridge run ARGS`, once it says it is forwarding; throws with its output if it does not within 20 s.</summary>
    public static FastBridgeDaemon StartRun(IReadOnlyList<string> runArgs, IReadOnlyDictionary<string, string>? environment = null)
    {
        FastBridgeDaemon daemon = LaunchRun(runArgs, environment);
        if (!daemon.Process.WaitForLine(ReadyMarker, s_readyTimeout))
        {
            string why = daemon.HasExited
                ? $"exited with code {daemon.ExitCode} before saying '{ReadyMarker}'"
                : $"did not say '{ReadyMarker}' within {s_readyTimeout.TotalSeconds} s";
            string output = daemon.Output;
            daemon.Dispose();
            throw new InvalidOperationException($"fastbridge run {why}:\n{output}");
        }

        return daemon;
    }

    /// <summary>
    /// `fastbridge run ARGS` without waiting; with <paramref name="under"/>, run by that command line
    /// instead (e.g. prlimit or setpriv, to start it with fewer resources or capabilities).
    /// </summary>
    public static FastBridgeDaemon LaunchRun(IReadOnlyList<string> runArgs, IReadOnlyDictionary<string, string>? environment = null, IReadOnlyList<string>? under = null)
    {
        if (!File.Exists(DllPath))
        {
            throw new FileNotFoundException($"{DllPath} is missing; the project should reference the ControlPlane project.", DllPath);
        }

        int socketAt = runArgs.ToList().IndexOf("--socket");
        string? socket = socketAt >= 0 && socketAt + 1 < runArgs.Count ? runArgs[socketAt + 1] : null;
        string[] command = [.. under ?? [], Tools.Dotnet, DllPath, "run", .. runArgs];
        return new FastBridgeDaemon(new ChildProcess(command[0], command[1..], environment: environment), socket);
    }

    /// <summary>`fastbridge ARGS` (a client command, not run), optionally as another user; stdout and stderr trimmed.</summary>
    public static ProcessResult RunCli(IReadOnlyList<string> args, string? asUser = null)
    {
        return ChildProcess.Run(Tools.Dotnet, [DllPath, .. args], s_cliTimeout, asUser).Trimmed();
    }

    /// <summary>`fastbridge ARGS --socket SOCKET`.</summary>
    public ProcessResult Cli(params string[] args) =>
        RunCli([.. args, "--socket", Socket ?? throw new InvalidOperationException("started without --socket")]);

    public bool WaitForLine(string marker, TimeSpan timeout) => Process.WaitForLine(marker, timeout);

    public void Signal(int signal) => Process.Signal(signal);

    /// <summary>SIGTERM, then wait; the exit code, or null if it did not exit within the timeout (then it is killed).</summary>
    public int? Terminate(TimeSpan timeout)
    {
        if (Process.Terminate(timeout))
        {
            return Process.ExitCode;
        }

        Process.Kill();
        return null;
    }

    /// <summary>SIGTERM, at most 5 s, then SIGKILL.</summary>
    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Terminate(TimeSpan.FromSeconds(5));
        }
        Process.Dispose();
    }
}
