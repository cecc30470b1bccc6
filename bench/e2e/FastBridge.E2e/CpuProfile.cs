// `--profile`: where the CPU time of a maximum-load trial goes, for issue 12's comparison of the XDP
// fast path with the bare redirect. perf samples the generator's CPU (on veth the whole receive half of
// every switch runs there, the XDP program included) and the switch's CPU during one extra maximum-load
// trial per switch and frame size, with call graphs; the report keeps the symbols above 1% of samples.
// This machine's perf has no hardware counters (cpu-clock sampling only), so the figures are shares of
// time, not cycles or instructions.
using System.Globalization;
using FastBridge.Testing.Processes;

namespace FastBridge.E2e;

internal static class CpuProfile
{
    private static readonly TimeSpan s_toolTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Runs <paramref name="trial"/> under `perf record` on both CPUs; writes DIR/profile-SWITCH-SIZE.txt and returns its path.</summary>
    public static string Record(BenchOptions options, string kind, int size, Action trial)
    {
        Directory.CreateDirectory(options.OutputDirectory);
        string stem = Path.Combine(options.OutputDirectory, $"profile-{kind}-{size.ToString(CultureInfo.InvariantCulture)}");
        string data = stem + ".perf.data";
        string cpus = $"{options.GenCpu},{options.SwitchCpu}";
        using (var perf = new ChildProcess("perf", ["record", "-q", "-F", "999", "-g", "-C", cpus, "-o", data]))
        {
            Thread.Sleep(300); // perf is sampling before the first frame is sent
            if (perf.HasExited)
            {
                throw new InvalidOperationException($"perf record failed: {perf.Output()}");
            }
            trial();
            perf.Signal(ChildProcess.SigInt);
            if (!perf.WaitForExit(s_toolTimeout))
            {
                throw new InvalidOperationException($"perf record did not stop: {perf.Output()}");
            }
        }
        string text = "";
        foreach (string cpu in cpus.Split(','))
        {
            ProcessResult report = ChildProcess.RunChecked("perf",
                ["report", "-i", data, "--stdio", "--no-children", "-g", "none", "--sort", "comm,dso,sym", "--percent-limit", "1", "-C", cpu], s_toolTimeout);
            string role = cpu == options.GenCpu.ToString(CultureInfo.InvariantCulture) ? "generator" : "switch";
            text += $"## CPU {cpu} ({role}), {kind}, {size} B, maximum load\n\n" + string.Join('\n', report.Stdout.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#'))) + "\n\n";
        }
        File.WriteAllText(stem + ".txt", text);
        File.Delete(data);
        return stem + ".txt";
    }
}
