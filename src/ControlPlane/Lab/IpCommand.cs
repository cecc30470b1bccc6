// Runs iproute2 (and other set-up tools inside a namespace) for the lab. One place that starts the
// process, captures stderr and turns a failure into an exception naming the command and its stderr;
// the tests' and the bench's child processes start from the same StartInfo.
// Called from whichever thread builds or tears down a lab; holds no state.
using System.Diagnostics;

namespace FastBridge.ControlPlane.Lab;

internal static class IpCommand
{
    /// <summary>Set-up commands finish in milliseconds; anything slower than this is stuck, not busy.</summary>
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);

    /// <summary>Runs <c>ip ARGS</c>; throws with the command line and stderr if it fails.</summary>
    public static string Ip(params string[] args) => Run("ip", args);

    /// <summary>Runs <c>ip netns exec NS PROGRAM ARGS</c>; throws with the command line and stderr if it fails.</summary>
    public static string InNamespace(string ns, string program, params string[] args) =>
        Run("ip", ["netns", "exec", ns, program, .. args]);

    /// <summary>Runs <c>ip ARGS</c> and reports failure instead of throwing (teardown of things that may be gone).</summary>
    public static bool TryIp(out string error, params string[] args)
    {
        try
        {
            Run("ip", args);
            error = "";
            return true;
        }
        catch (InvalidOperationException e)
        {
            error = e.Message;
            return false;
        }
    }

    public static string Run(string program, IReadOnlyList<string> args)
    {
        ProcessStartInfo info = StartInfo(program, args);
        string commandLine = program + " " + string.Join(' ', args);
        using Process process = Process.Start(info)
            ?? throw new InvalidOperationException($"could not start '{commandLine}'");
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(s_timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new InvalidOperationException($"'{commandLine}' did not finish within {s_timeout.TotalSeconds} s");
        }

        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'{commandLine}' failed with exit code {process.ExitCode}: {stderr.Result.Trim()}");
        }

        return stdout.Result;
    }

    /// <summary>
    /// PROGRAM ARGS with stdin, stdout and stderr redirected: how every lab command starts, here and in
    /// the tests' and bench's ChildProcess (tests/FastBridge.Testing).
    /// </summary>
    public static ProcessStartInfo StartInfo(string program, IEnumerable<string> args)
    {
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

        return info;
    }
}
