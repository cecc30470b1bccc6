// `fastbridge run` as a child process (`dotnet fastbridge.dll run ...`) with its own socket, and the
// CLI run against it the same way. Output is captured line by line for waits and failure messages;
// Dispose sends SIGTERM and kills whatever is left after 5 s.
using System.Diagnostics;
using System.Text;

namespace FastBridge.Tests.Daemon;

internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

internal sealed class DaemonProcess : IDisposable
{
    /// <summary>The uid and gid of `nobody`, for tests of what an unprivileged local user can do.</summary>
    public const string Nobody = "65534";

    public static readonly string DllPath = Path.Combine(AppContext.BaseDirectory, "fastbridge.dll");

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<string> _lines = [];

    private DaemonProcess(Process process, string socket)
    {
        _process = process;
        Socket = socket;
    }

    public string Socket { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts `run` with the given arguments and waits for its "forwarding" line; fails the test with its output otherwise.</summary>
    public static DaemonProcess Start(string socket, params string[] args) => Start(socket, null, args);

    public static DaemonProcess Start(string socket, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        DaemonProcess daemon = Launch(socket, environment, args);
        if (!daemon.WaitForLine("forwarding", TimeSpan.FromSeconds(20)))
        {
            string output = daemon.Output;
            daemon.Dispose();
            Assert.Fail($"fastbridge run did not get to 'forwarding':\n{output}");
        }
        return daemon;
    }

    /// <summary>Starts `run` without waiting, for tests of refusals.</summary>
    public static DaemonProcess Launch(string socket, params string[] args) => Launch(socket, null, args);

    public static DaemonProcess Launch(string socket, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        foreach (string arg in (string[])[DllPath, "run", "--socket", socket, "--stats-interval", "0", .. args])
        {
            info.ArgumentList.Add(arg);
        }
        var daemon = new DaemonProcess(new Process { StartInfo = info }, socket);
        daemon._process.OutputDataReceived += (_, e) => daemon.Add(e.Data);
        daemon._process.ErrorDataReceived += (_, e) => daemon.Add(e.Data);
        daemon._process.Start();
        daemon._process.BeginOutputReadLine();
        daemon._process.BeginErrorReadLine();
        return daemon;
    }

    public string Output
    {
        get
        {
            lock (_lines)
            {
                return _output.ToString();
            }
        }
    }

    public bool WaitForLine(string marker, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            lock (_lines)
            {
                if (_lines.Any(l => l.Contains(marker, StringComparison.Ordinal)))
                {
                    return true;
                }
            }
            if (_process.HasExited)
            {
                _process.WaitForExit();
                lock (_lines)
                {
                    return _lines.Any(l => l.Contains(marker, StringComparison.Ordinal));
                }
            }
            Thread.Sleep(20);
        }
        return false;
    }

    /// <summary>`fastbridge ARGS --socket SOCKET`.</summary>
    public CliResult Cli(params string[] args) => RunCli([.. args, "--socket", Socket]);

    public static CliResult RunCli(string[] args, string? asUser = null) => Run("dotnet", [DllPath, .. args], asUser);

    /// <summary>FILE ARGS, or `setpriv` running them as <paramref name="asUser"/> (uid and gid, no supplementary groups).</summary>
    public static ProcessStartInfo StartInfo(string file, IEnumerable<string> args, string? asUser = null)
    {
        var info = new ProcessStartInfo(asUser is null ? file : "setpriv") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (asUser is not null)
        {
            foreach (string arg in (string[])["--reuid", asUser, "--regid", asUser, "--clear-groups", file])
            {
                info.ArgumentList.Add(arg);
            }
            info.Environment["DOTNET_CLI_HOME"] = Path.GetTempPath();
            info.Environment["HOME"] = Path.GetTempPath();
        }
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        return info;
    }

    /// <summary>Runs FILE ARGS to the end (30 s at most), optionally as another user; stdout and stderr trimmed.</summary>
    public static CliResult Run(string file, IEnumerable<string> args, string? asUser = null)
    {
        ProcessStartInfo info = StartInfo(file, args, asUser);
        using Process process = Process.Start(info)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(30_000))
        {
            process.Kill();
            Assert.Fail($"{info.FileName} {string.Join(' ', info.ArgumentList)} did not finish in 30 s");
        }
        return new CliResult(process.ExitCode, stdout.Trim(), stderr.Result.Trim());
    }

    public void Signal(string signal) => Process.Start("kill", ["-" + signal, Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();

    /// <summary>SIGTERM, then wait; the exit code, or null if it did not exit within the timeout (then it is killed).</summary>
    public int? Terminate(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            Signal("TERM");
        }
        if (!_process.WaitForExit((int)timeout.TotalMilliseconds))
        {
            _process.Kill();
            return null;
        }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Terminate(TimeSpan.FromSeconds(5));
        }
        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_lines)
        {
            _lines.Add(line);
            _output.AppendLine(line);
        }
    }
}
