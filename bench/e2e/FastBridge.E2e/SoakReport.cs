// Writes what the soak measured, untouched by hand: results.csv (one row per minute) and results.md
// (the parameters, the machine, the table, and the totals over the minutes after the first, which
// carries start-up's JIT and first-request work).
using System.Globalization;
using System.Text;

namespace FastBridge.E2e;

internal static class SoakReport
{
    public static void Write(SoakOptions soak, IReadOnlyList<SoakMinute> minutes, DateTime started)
    {
        Directory.CreateDirectory(soak.OutputDirectory);
        var csv = new StringBuilder("minute,sent,received,lost,rss_mib,gc_gen0,gc_gen1,gc_gen2,gc_pause_ms,allocated_kib,fdb_entries,switch_drops\n");
        foreach (SoakMinute m in minutes)
        {
            csv.Append(CultureInfo.InvariantCulture,
                $"{m.Minute},{m.Sent},{m.Received},{m.Lost},{F(m.RssMiB, 1)},{m.Gen0},{m.Gen1},{m.Gen2},{F(m.PauseMs, 3)},{F(m.AllocatedKiB, 0)},{m.FdbEntries},\"{m.Drops}\"\n");
        }
        File.WriteAllText(Path.Combine(soak.OutputDirectory, "results.csv"), csv.ToString());
        File.WriteAllText(Path.Combine(soak.OutputDirectory, "results.md"), Markdown(soak, minutes, started));
    }

    private static string Markdown(SoakOptions soak, IReadOnlyList<SoakMinute> minutes, DateTime started)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# FastBridge soak, {started:yyyy-MM-dd HH:mm} UTC");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"`bench/soak/run.sh --minutes {soak.Minutes} --rate {soak.Rate} --backend {soak.Backend} --scrape-seconds {soak.ScrapeSeconds} --size {soak.FrameSize}`: " +
            $"`fastbridge run --backend {soak.Backend} --workers 1 --stats-interval 5` on the bench's three ports, {soak.FrameSize}-byte frames from gen to sink at " +
            $"{soak.Rate:F0} frames/s, `/metrics` scraped every {soak.ScrapeSeconds} s over one kept-alive connection (as Prometheus does) and once more at the end of each minute. " +
            $"Machine: {Report.Machine()}.");
        md.AppendLine();
        md.AppendLine("Per minute: frames sent and lost (sent less what the sink's veth counted), RSS at the minute's end, garbage collections in the minute by " +
            "generation (the gen0 count includes the gen1 and gen2 ones, as `GC.CollectionCount(0)` does), GC pause time in the minute (`GC.GetTotalPauseDuration`: " +
            "every managed thread, the poll loop included, stands still that long), bytes allocated on the managed heap (`GC.GetTotalAllocatedBytes`, imprecise: " +
            "to within a few allocation contexts of 8 KiB), FDB entries, and frames the switch dropped in the minute, by reason, all ports.");
        md.AppendLine();
        md.AppendLine("| minute | sent | lost | RSS (MiB) | GC gen0 / gen1 / gen2 | GC pause (ms) | allocated (KiB) | FDB | switch drops by reason |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (SoakMinute m in minutes)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {m.Minute} | {m.Sent} | {m.Lost} | {F(m.RssMiB, 1)} | {m.Gen0} / {m.Gen1} / {m.Gen2} | {F(m.PauseMs, 2)} | {F(m.AllocatedKiB, 0)} | {m.FdbEntries} | {m.Drops} |");
        }
        md.AppendLine();
        List<SoakMinute> steady = [.. minutes.Skip(1)];
        if (steady.Count > 0)
        {
            long gen0 = steady.Sum(m => m.Gen0);
            double pause = steady.Sum(m => m.PauseMs);
            md.Append(CultureInfo.InvariantCulture,
                $"Minutes 2-{minutes.Count}: {steady.Sum(m => m.Sent)} frames sent, {steady.Sum(m => m.Lost)} lost; {gen0} collections " +
                $"({steady.Sum(m => m.Gen1)} of them gen1, {steady.Sum(m => m.Gen2)} gen2), {F(pause, 2)} ms paused in all");
            if (gen0 > 0)
            {
                md.Append(CultureInfo.InvariantCulture, $" ({F(pause / gen0, 2)} ms per collection on average)");
            }
            md.AppendLine(CultureInfo.InvariantCulture,
                $"; {F(steady.Sum(m => m.AllocatedKiB) / (steady.Count * 60.0), 1)} KiB allocated per second; RSS {F(steady[0].RssMiB, 1)} to {F(steady[^1].RssMiB, 1)} MiB.");
        }
        return md.ToString();
    }

    private static string F(double value, int decimals) => Report.F(value, decimals);
}
