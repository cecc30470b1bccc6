// Child processes for the integration tests: one-shot commands with a time limit, and long-running
// ones (captures, iperf3 server, the switch) whose output lines are collected as they arrive so a
// test can wait for a line without hanging. Every wait is bounded; every process is ended by pid.
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace FastBridge.Tests.Integration;

internal sealed record ProcessResult(string CommandLine, int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() =>
        $"'{CommandLine}' exited {ExitCode}\n--- stdout ---\n{Stdout.TrimEnd()}\n--- stderr ---\n{Stderr.TrimEnd()}";
}

internal static partial class ExternalProcess
{
    public const int SigTerm = 15;

    /// <summary>Runs to completion; a process still running after <paramref name="timeout"/> is killed and the test fails.</summary>
    public static ProcessResult Run(string program, IReadOnlyList<string> args, TimeSpan timeout)
    {
        using var process = new LongRunningProcess(program, args);
        if (!process.WaitForExit(timeout))
        {
            process.Kill();
            Assert.Fail($"'{process.CommandLine}' did not finish within {timeout.TotalSeconds} s; killed.\n{process.Output()}");
        }

        return process.Result();
    }

    /// <summary>Runs and fails the test with the full output unless the exit code is 0.</summary>
    public static ProcessResult RunChecked(string program, IReadOnlyList<string> args, TimeSpan timeout)
    {
        ProcessResult result = Run(program, args, timeout);
        if (result.ExitCode != 0)
        {
            Assert.Fail(result.ToString());
        }

        return result;
    }

    public static bool SendSignal(int pid, int signal) => Kill(pid, signal) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}

/// <summary>A child whose stdout lines are kept in order and whose stderr is kept whole.</summary>
internal sealed class LongRunningProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly StringBuilder _stderr = new();
    private readonly object _lock = new();
    private bool _disposed;

    public LongRunningProcess(string program, IReadOnlyList<string> args)
    {
        CommandLine = program + " " + string.Join(' ', args);
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
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

    public IReadOnlyList<string> Lines()
    {
        lock (_lock)
        {
            return [.. _lines];
        }
    }

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

    public string Stderr()
    {
        lock (_lock)
        {
            return _stderr.ToString();
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds over the stdout lines; false on timeout or if the process exits first.</summary>
    public bool WaitForLines(Func<IReadOnlyList<string>, bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        lock (_lock)
        {
            while (!condition(_lines))
            {
                TimeSpan left = timeout - clock.Elapsed;
                if (left <= TimeSpan.Zero || _process.HasExited)
                {
                    // One more look: the exit may have raced the last lines in.
                    return condition(_lines);
                }

                Monitor.Wait(_lock, left < TimeSpan.FromMilliseconds(100) ? left : TimeSpan.FromMilliseconds(100));
            }

            return true;
        }
    }

    public bool WaitForLine(string contains, TimeSpan timeout) =>
        WaitForLines(lines => lines.Any(l => l.Contains(contains, StringComparison.Ordinal)), timeout);

    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            return false;
        }

        _process.WaitForExit(); // drains the asynchronous readers
        return true;
    }

    public bool Terminate(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            ExternalProcess.SendSignal(Pid, ExternalProcess.SigTerm);
        }

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

            Monitor.PulseAll(_lock);
        }
    }
}
