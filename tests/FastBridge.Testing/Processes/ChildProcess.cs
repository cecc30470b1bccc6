// Child processes for the tests and the benches: one-shot commands with a time limit, and long-running
// ones (captures, an iperf3 server, fastbridge itself) whose output lines are collected as they arrive
// so a caller can wait for a line without hanging. Every wait is bounded; every process is ended by
// pid. A failure throws, naming the command and its output: a test fails with it, the bench reports it.
using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using FastBridge.ControlPlane.Lab;

namespace FastBridge.Testing.Processes;

internal sealed record ProcessResult(string CommandLine, int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() =>
        $"'{CommandLine}' exited {ExitCode}\n--- stdout ---\n{Stdout.TrimEnd()}\n--- stderr ---\n{Stderr.TrimEnd()}";

    /// <summary>Stdout and stderr without the white space around them, as a command's answer is compared.</summary>
    public ProcessResult Trimmed() => this with { Stdout = Stdout.Trim(), Stderr = Stderr.Trim() };
}

/// <summary>
/// A child whose stdout lines are kept in order, whose stderr is kept whole, and whose output as a
/// terminal would show it (both streams, line by line as they came) is kept too.
/// </summary>
internal sealed partial class ChildProcess : IDisposable
{
    public const int SigHup = 1, SigInt = 2, SigKill = 9, SigTerm = 15, SigCont = 18, SigStop = 19;

    /// <summary>The uid and gid of `nobody`, for what an unprivileged local user can do.</summary>
    public const string Nobody = "65534";

    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<string> _allLines = [];
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _text = new();
    private readonly object _lock = new();
    private bool _disposed;

    /// <summary>Starts PROGRAM ARGS, or `setpriv` running them as <paramref name="asUser"/> (uid and gid, no supplementary groups).</summary>
    public ChildProcess(string program, IReadOnlyList<string> args, string? asUser = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        CommandLine = program + " " + string.Join(' ', args);
        ProcessStartInfo info = asUser is null
            ? IpCommand.StartInfo(program, args)
            : IpCommand.StartInfo("setpriv", ["--reuid", asUser, "--regid", asUser, "--clear-groups", program, .. args]);
        if (asUser is not null)
        {
            info.Environment["DOTNET_CLI_HOME"] = Path.GetTempPath();
            info.Environment["HOME"] = Path.GetTempPath();
        }
        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => Append(e.Data, isStdout: true);
        _process.ErrorDataReceived += (_, e) => Append(e.Data, isStdout: false);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Pid = _process.Id;
    }

    public string CommandLine { get; }

    public int Pid { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public int LineCount
    {
        get
        {
            lock (_lock)
            {
                return _lines.Count;
            }
        }
    }

    /// <summary>Both streams as a terminal would have shown them, one line each.</summary>
    public string Text
    {
        get
        {
            lock (_lock)
            {
                return _text.ToString();
            }
        }
    }

    /// <summary>
    /// Runs to completion, with <paramref name="stdin"/> as its input if given; a process still running after
    /// <paramref name="timeout"/> is killed and this throws.
    /// </summary>
    public static ProcessResult Run(string program, IReadOnlyList<string> args, TimeSpan timeout, string? asUser = null, string? stdin = null)
    {
        using var process = new ChildProcess(program, args, asUser);
        if (stdin is not null)
        {
            process._process.StandardInput.Write(stdin);
        }
        process.CloseStdin();
        if (!process.WaitForExit(timeout))
        {
            process.Kill();
            throw new TimeoutException($"'{process.CommandLine}' did not finish within {timeout.TotalSeconds} s; killed.\n{process.Output()}");
        }

        return process.Result();
    }

    /// <summary>Runs and throws with the full output unless the exit code is 0.</summary>
    public static ProcessResult RunChecked(string program, IReadOnlyList<string> args, TimeSpan timeout)
    {
        ProcessResult result = Run(program, args, timeout);
        return result.ExitCode == 0 ? result : throw new InvalidOperationException(result.ToString());
    }

    /// <summary>Runs to completion; null if the program is not there to start (an optional tool).</summary>
    public static ProcessResult? TryRun(string program, IReadOnlyList<string> args, TimeSpan timeout)
    {
        try
        {
            return Run(program, args, timeout);
        }
        catch (Win32Exception)
        {
            return null;
        }
    }

    public static bool SendSignal(int pid, int signal) => Kill(pid, signal) == 0;

    public IReadOnlyList<string> Lines()
    {
        lock (_lock)
        {
            return [.. _lines];
        }
    }

    public string Stderr()
    {
        lock (_lock)
        {
            return _stderr.ToString();
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds over the stdout lines; false on timeout or if the process exits first.</summary>
    public bool WaitForLines(Func<IReadOnlyList<string>, bool> condition, TimeSpan timeout) => WaitUntil(() => condition(_lines), timeout);

    /// <summary>Waits for a line on stdout or stderr that contains <paramref name="contains"/>.</summary>
    public bool WaitForLine(string contains, TimeSpan timeout) =>
        WaitUntil(() => _allLines.Any(l => l.Contains(contains, StringComparison.Ordinal)), timeout);

    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            return false;
        }

        _process.WaitForExit(); // drains the asynchronous readers
        return true;
    }

    public bool Signal(int signal) => !_process.HasExited && SendSignal(Pid, signal);

    /// <summary>SIGTERM, then waits; false if it is still running after <paramref name="timeout"/>.</summary>
    public bool Terminate(TimeSpan timeout)
    {
        Signal(SigTerm);
        return WaitForExit(timeout);
    }

    public void CloseStdin()
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // Already gone: nothing to tell it.
        }
    }

    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
    }

    public ProcessResult Result()
    {
        lock (_lock)
        {
            return new ProcessResult(CommandLine, _process.ExitCode, string.Join('\n', _lines), _stderr.ToString());
        }
    }

    public string Output()
    {
        lock (_lock)
        {
            return $"--- stdout of '{CommandLine}' ---\n{string.Join('\n', _lines)}\n--- stderr ---\n{_stderr.ToString().TrimEnd()}";
        }
    }

    /// <summary>Asks politely (stdin closed, SIGTERM), then kills; never throws.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        CloseStdin();
        if (!Terminate(TimeSpan.FromSeconds(3)))
        {
            Kill();
        }

        _process.Dispose();
    }

    private bool WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            lock (_lock)
            {
                if (condition())
                {
                    return true;
                }

                TimeSpan left = timeout - clock.Elapsed;
                if (left <= TimeSpan.Zero)
                {
                    return false;
                }

                if (!_process.HasExited)
                {
                    Monitor.Wait(_lock, left < TimeSpan.FromMilliseconds(100) ? left : TimeSpan.FromMilliseconds(100));
                    continue;
                }
            }

            // Exited: the readers may still hold its last lines. Drain them (outside the lock they take), then one more look.
            _process.WaitForExit();
            lock (_lock)
            {
                return condition();
            }
        }
    }

    private void Append(string? line, bool isStdout)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            if (isStdout)
            {
                _lines.Add(line);
            }
            else
            {
                _stderr.AppendLine(line);
            }

            _allLines.Add(line);
            _text.AppendLine(line);
            Monitor.PulseAll(_lock);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
