// `paired`: two switches measured against each other trial by trial, for a ratio smaller than the
// machine's drift between rounds. Issue 12 asks the fast path to be within 5% of the bare redirect;
// on this VM whole rounds of one switch a few minutes apart differ by 10% and more (2026-12-03: the
// fast path's in-round ratio to the redirect went 0.81-1.13 over five rounds), so the round medians
// could not tell 0.95 from 1.0. Here both switches run at once, each on a lab of its own, and their
// maximum-load trials alternate in pairs A B, B A, A B, ... seconds apart, so drift within a pair is
// small and its order alternates; the figure is the median of the pairs' ratios (A / B).
// The switch not being measured stays up, its user-space processes stopped (SIGSTOP, SIGCONT after the
// trial): OVS's PMD thread spins on the switch CPU, and left running it took that CPU from FastBridge's
// poll loop (which lost 38% of the frames at maximum load beside it). A switch in the kernel idles by
// itself. Two bare redirects paired gave a median ratio of 0.995 (bench/README.md).
// `--rounds N` is the number of pairs, 16 unless given.
using System.Globalization;
using System.Text;
using FastBridge.Testing.Frames;
using FastBridge.Testing.Processes;
using FastBridge.Testing.Switches;

namespace FastBridge.E2e;

internal static class Paired
{
    public static int Run(BenchOptions options, string prefix, string[] args)
    {
        if (options.Switches.Length != 2 || options.Profile)
        {
            Console.Error.WriteLine(options.Profile
                ? "paired: --profile belongs to the round bench (bench/e2e/run.sh --profile)"
                : "paired: --switches names exactly two switches, A,B (the ratio is A / B)");
            return 2;
        }
        DateTime started = DateTime.UtcNow;
        var sides = new List<Side>();
        try
        {
            foreach ((string name, string suffix) in options.Switches.Zip(["a", "b"]))
            {
                sides.Add(Side.Start(options, name, prefix + suffix));
            }
            var report = new StringBuilder();
            report.AppendLine(CultureInfo.InvariantCulture, $"# Paired maximum-load trials, {started:yyyy-MM-dd HH:mm} UTC");
            report.AppendLine();
            report.AppendLine(CultureInfo.InvariantCulture, $"Command: `bench/e2e/run.sh {string.Join(' ', args)}`. Machine: {Report.Machine()}.");
            report.AppendLine(CultureInfo.InvariantCulture,
                $"Both switches up at once, each on its own lab; {options.Rounds} pairs of {options.TrialSeconds} s maximum-load trials per frame size, in the order A B, B A, ...; " +
                $"generator on CPU {options.GenCpu}, switch threads on CPU {options.SwitchCpu}. Ratio = A / B per pair; the figure is their median.");
            foreach (int size in options.Sizes)
            {
                report.Append(MeasureSize(options, sides[0], sides[1], size));
            }
            Directory.CreateDirectory(options.OutputDirectory);
            File.WriteAllText(Path.Combine(options.OutputDirectory, "paired.md"), report.ToString());
            Console.Error.WriteLine($"paired: results in {options.OutputDirectory}/paired.md ({(DateTime.UtcNow - started).TotalMinutes:F1} min)");
            return 0;
        }
        catch (Exception ex) // any failure (a switch or lab that would not start, a trial): said, and the finally removes what was built
        {
            Console.Error.WriteLine($"paired: {ex.Message}");
            return 1;
        }
        finally
        {
            foreach (Side side in sides)
            {
                side.Dispose();
            }
        }
    }

    private static string MeasureSize(BenchOptions options, Side a, Side b, int size)
    {
        using FramePlan plan = SwitchRound.Plan(size);
        var md = new StringBuilder();
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"## {size}-byte frames: {a.Kind} (A) against {b.Kind} (B)");
        md.AppendLine();
        md.AppendLine("| pair | order | A (Mfps) | B (Mfps) | A / B | A loss | B loss |");
        md.AppendLine("|---:|---|---:|---:|---:|---:|---:|");
        var ratios = new double[options.Rounds];
        var rates = (A: new double[options.Rounds], B: new double[options.Rounds]);
        for (int pair = 0; pair < options.Rounds; pair++)
        {
            bool aFirst = pair % 2 == 0;
            TrialResult first = (aFirst ? a : b).Measure(aFirst ? b : a, plan);
            TrialResult second = (aFirst ? b : a).Measure(aFirst ? a : b, plan);
            (TrialResult ra, TrialResult rb) = aFirst ? (first, second) : (second, first);
            rates.A[pair] = ra.ForwardedFps;
            rates.B[pair] = rb.ForwardedFps;
            ratios[pair] = ra.ForwardedFps / rb.ForwardedFps;
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {pair + 1} | {(aFirst ? "A B" : "B A")} | {ra.ForwardedFps / 1e6:F3} | {rb.ForwardedFps / 1e6:F3} | {ratios[pair]:F3} | {ra.Loss * 100:F2}% | {rb.Loss * 100:F2}% |");
            Console.Error.WriteLine($"paired: {size,4} B pair {pair + 1}: {a.Kind} {ra.ForwardedFps / 1e6:F3}, {b.Kind} {rb.ForwardedFps / 1e6:F3} Mfps, A / B {ratios[pair]:F3}");
        }
        double median = Results.MedianOf(ratios);
        int aAhead = ratios.Count(r => r >= 1);
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"Median A / B: **{median:F3}** (pairs {ratios.Min():F3}-{ratios.Max():F3}; A at or above B in {aAhead} of {ratios.Length}). " +
            $"Median rates: A {Results.MedianOf(rates.A) / 1e6:F3}, B {Results.MedianOf(rates.B) / 1e6:F3} Mfps.");
        Console.Error.WriteLine($"paired: {size,4} B: median A / B {median:F3} over {ratios.Length} pairs ({ratios.Min():F3}-{ratios.Max():F3})");
        return md.ToString();
    }

    /// <summary>One switch on its own lab, warmed up, and its trials.</summary>
    private sealed class Side : IDisposable
    {
        private readonly SwitchUnderTest _sut;
        private readonly BenchLab _lab;

        private Side(SwitchUnderTest sut, BenchLab lab, Trial trial)
        {
            _sut = sut;
            _lab = lab;
            Trial = trial;
        }

        public string Kind => _sut.Kind;

        public Trial Trial { get; }

        /// <summary>One maximum-load trial of this side, <paramref name="other"/>'s processes stopped meanwhile.</summary>
        public TrialResult Measure(Side other, FramePlan plan)
        {
            IReadOnlyList<int> frozen = other._sut.Processes;
            Signal(frozen, ChildProcess.SigStop);
            try
            {
                return Trial.Run(plan, 0);
            }
            finally
            {
                Signal(frozen, ChildProcess.SigCont);
            }
        }

        private static void Signal(IReadOnlyList<int> pids, int signal)
        {
            foreach (int pid in pids)
            {
                if (!ChildProcess.SendSignal(pid, signal))
                {
                    throw new InvalidOperationException($"cannot send signal {signal} to process {pid}");
                }
            }
        }

        public static Side Start(BenchOptions options, string name, string prefix)
        {
            SwitchUnderTest sut = SwitchUnderTest.Create(name, options.SwitchSettings(prefix));
            BenchLab lab = BenchLab.Create(prefix, sut.Direct, options.HostGro);
            var side = new Side(sut, lab, new Trial(lab, options));
            try
            {
                sut.Start(lab.Prefix + "br", lab.Ports);
                SwitchRound.WarmUp(options, sut, lab, side.Trial, "paired");
                return side;
            }
            catch
            {
                side.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            _sut.Dispose(); // the switch stops (and restores its ports) before the ports go away
            _lab.Dispose();
        }
    }
}
