// Issue 13's bar, VLAN-aware per-frame cost against the VLAN-unaware path, measured the way this VM resolves it.
// A bridge runs in one mode, so each case (ForwardingBenchmarks' Vlan off, untagged, push, pop) runs alone in a process
// of its own, as under BenchmarkDotNet: the JIT lays out the shared forwarding code for that case only (timed in one
// process together, the cases share one profile, and a flood measured +12-25% against +2% alone). One process per case
// is not enough either: where its ports' buffers and tables land moves one case from one process to the next (the
// unaware unicast case by 2.17 or 2.8 µs per burst, bench/README.md, and every case has the two modes). So the cases
// take turns, process after process; each process gives its median round, and each case is reported by its best
// process (the fast mode, the code's own cost; the bar is read there) and its median process. Rounds are 2000 bursts of 64
// frames; each process times `Rounds` of them after a quarter as many for warm-up, and checks that it allocated
// nothing and collected nothing while timing.
using System.Diagnostics;

namespace FastBridge.Benchmarks;

public static class VlanCostComparison
{
    private static readonly string[] Cases = ["off", "untagged", "push", "pop"];
    private const int Rounds = 200;
    private const int BurstsPerRound = 2000;

    /// <summary>`vlan-cost [processes]`: the comparison, each case in <paramref name="processes"/> processes of its own.</summary>
    public static void Run(int processes = 7)
    {
        string self = Environment.ProcessPath!;
        string assembly = typeof(VlanCostComparison).Assembly.Location;
        Console.WriteLine($"# VLAN-aware cost: per case {processes} processes, each the median of {Rounds} rounds of {BurstsPerRound} bursts; µs per burst of 64 frames");
        foreach (string mix in new[] { "unicast", "flood" })
        {
            var medians = new List<double>[Cases.Length];
            for (int k = 0; k < Cases.Length; k++)
            {
                medians[k] = [];
            }
            for (int p = 0; p < processes; p++)
            {
                for (int k = 0; k < Cases.Length; k++)
                {
                    medians[k].Add(RunCaseProcess(self, assembly, mix, Cases[k]));
                }
            }
            Console.WriteLine();
            Console.WriteLine($"{mix}:");
            Console.WriteLine("| Vlan | best | vs off | median | vs off | each process |");
            Console.WriteLine("|---|---|---|---|---|---|");
            double offBest = medians[0].Min();
            double offMedian = Median(medians[0]);
            for (int k = 0; k < Cases.Length; k++)
            {
                double best = medians[k].Min();
                double median = Median(medians[k]);
                Console.WriteLine($"| {Cases[k]} | {best:F3} | {best / offBest - 1:+0.0%;-0.0%} | {median:F3} | {median / offMedian - 1:+0.0%;-0.0%} | "
                    + $"{string.Join(" ", medians[k].Select(m => m.ToString("F3")))} |");
            }
        }
    }

    /// <summary>`vlan-cost-case MIX VLAN`: one case in this process; prints its median round in µs per burst.</summary>
    public static void RunCase(string mix, string vlan)
    {
        var bench = new ForwardingBenchmarks { Mix = mix, Vlan = vlan, Policy = "off" };
        bench.Setup();
        var rounds = new double[Rounds];
        for (int round = -Rounds / 4; round < Rounds; round++)
        {
            if (round == 0)
            {
                GC.Collect();
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            int collections = GC.CollectionCount(0);
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < BurstsPerRound; i++)
            {
                bench.Burst();
            }
            double perBurst = Stopwatch.GetElapsedTime(start).TotalMicroseconds / BurstsPerRound;
            if (round >= 0)
            {
                rounds[round] = perBurst;
                if (GC.GetAllocatedBytesForCurrentThread() != allocated || GC.CollectionCount(0) != collections)
                {
                    throw new InvalidOperationException($"{mix}/{vlan}: the forwarding loop allocated or collected while timed");
                }
            }
        }
        bench.Cleanup();
        Console.WriteLine(Median(rounds).ToString("R"));
    }

    private static double RunCaseProcess(string self, string assembly, string mix, string vlan)
    {
        // `dotnet run` starts the apphost; from `dotnet FastBridge.Benchmarks.dll` the host is dotnet itself.
        bool apphost = !Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true };
        if (!apphost)
        {
            start.ArgumentList.Add(assembly);
        }
        foreach (string arg in new[] { "vlan-cost-case", mix, vlan })
        {
            start.ArgumentList.Add(arg);
        }
        using Process child = Process.Start(start)!;
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"vlan-cost-case {mix} {vlan} exited with {child.ExitCode}");
        }
        return double.Parse(output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted[sorted.Length / 2];
    }
}
