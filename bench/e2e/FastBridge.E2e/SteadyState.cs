// Waits, after the warm-up, until a FastBridge daemon's control threads are quiet, so the trials measure the
// switch as it runs for days and not while its runtime still compiles. Measured on an idle daemon with three
// fast-path ports (2026-12-03, perf of its threads): 4-14 s after start its threads other than the poll loops
// took 5% of a CPU (half of it the JIT's tier-up thread), 30-40 s after start 0.9% (the once-a-second tick's
// code reaching tier 1), 70-80 s after start 0.4%. In the bench those threads share the generator's CPU (the
// poll loops own the switch CPU), so until then they come off the measured rate. Their time on CPU is read
// from /proc/PID/task/TID/schedstat (nanoseconds), over windows of WindowSeconds. The window is 10 s, not 5:
// on 2026-12-03 the tier-up thread still took 70 ms in bursts 10 s apart (1-s samples of /proc/PID/task),
// which a 5-s window between two bursts passed as quiet. (Whether those bursts cost the first trials, 64 B, is
// not shown: with 10-s windows the fast path measured 0.94x the bare redirect at 64 B in one run, 0.88x in the next.)
using System.Globalization;

namespace FastBridge.E2e;

internal static class SteadyState
{
    private const int WindowSeconds = 10;

    /// <summary>Quiet: the control threads took at most this share of one CPU over a window.</summary>
    private const double QuietShare = 0.006;

    /// <summary>Waits (at most <paramref name="limit"/>) until the non-poll threads of <paramref name="pid"/> are quiet; what it saw.</summary>
    public static string Wait(int pid, TimeSpan limit)
    {
        DateTime start = DateTime.UtcNow;
        double share = double.NaN;
        while (DateTime.UtcNow - start < limit)
        {
            Dictionary<int, long> before = ControlThreadsNs(pid);
            Thread.Sleep(TimeSpan.FromSeconds(WindowSeconds));
            // Per thread: one that ended in the window takes its time with it, and must not make the sum go down.
            share = ControlThreadsNs(pid).Sum(thread => thread.Value - before.GetValueOrDefault(thread.Key)) / (WindowSeconds * 1e9);
            if (share <= QuietShare)
            {
                return string.Create(CultureInfo.InvariantCulture, $"control threads at {share * 100:F2}% of a CPU after {(DateTime.UtcNow - start).TotalSeconds:F0} s");
            }
        }
        return string.Create(CultureInfo.InvariantCulture, $"control threads still at {share * 100:F2}% of a CPU after {limit.TotalSeconds:F0} s");
    }

    /// <summary>Nanoseconds on CPU of each thread of the process but the poll loops (named fastbridge-poll*), by thread id.</summary>
    private static Dictionary<int, long> ControlThreadsNs(int pid)
    {
        var threads = new Dictionary<int, long>();
        foreach (string task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith("fastbridge-poll", StringComparison.Ordinal))
                {
                    continue;
                }
                threads[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] =
                    long.Parse(File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ')[0], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // a thread that ended meanwhile
            }
        }
        return threads;
    }
}
