// `fastbridge stats [-j] [--watch]`: per port packets, bytes and drops by reason, per worker
// busy share and average burst, and the FDB's size and events. With --watch it repeats every
// --interval seconds and shows per-second rates and the busy share over that interval.
using System.CommandLine;
using System.Globalization;
using System.Text;
using FastBridge.ControlPlane.Api;
using FastBridge.ControlPlane.Switch;

namespace FastBridge.ControlPlane.Cli;

internal static class StatsCommand
{
    public static Command Create()
    {
        var watch = new Option<bool>("--watch") { Description = "Repeat until interrupted, with rates." };
        var interval = new Option<double>("--interval")
        {
            Description = "Seconds between --watch updates.",
            DefaultValueFactory = _ => 1,
            CustomParser = ValueParsers.Decimal("--interval", "seconds"),
        };
        var count = new Option<int>("--count")
        {
            Description = "With --watch: stop after this many updates (0: never).",
            CustomParser = ValueParsers.Whole<int>("--count"),
        };
        return ClientCommands.Calling(new Command("stats", "Counters of the running switch. With -j: the API's /stats, one line per update.") { watch, interval, count }, (parse, client) =>
        {
            StatsInfo previous = client.Get("stats", ApiJson.Default.StatsInfo);
            if (!parse.GetValue(watch))
            {
                if (ClientOptions.Json(parse))
                {
                    return ClientOptions.PrintJson(parse, previous, ApiJson.Default.StatsInfo);
                }
                Console.Out.Write(Format(previous, null, 0));
                return 0;
            }
            TimeSpan every = TimeSpan.FromSeconds(Math.Max(0.1, parse.GetValue(interval)));
            int limit = parse.GetValue(count);
            using var stop = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
            for (int n = 0; (limit == 0 || n < limit) && !stop.Token.WaitHandle.WaitOne(every); n++)
            {
                StatsInfo now = client.Get("stats", ApiJson.Default.StatsInfo);
                if (ClientOptions.Json(parse))
                {
                    ClientOptions.PrintJson(parse, now, ApiJson.Default.StatsInfo);
                }
                else
                {
                    Console.Out.Write($"--- {DateTime.Now:HH:mm:ss}\n" + Format(now, previous, every.TotalSeconds));
                }
                previous = now;
            }
            return 0;
        });
    }

    /// <summary>The text table; with <paramref name="before"/>, rates per second over <paramref name="seconds"/> too.</summary>
    internal static string Format(StatsInfo now, StatsInfo? before, double seconds)
    {
        var text = new StringBuilder();
        bool rates = before is not null && seconds > 0;
        text.Append(CultureInfo.InvariantCulture, $"{"port",-16} {"state",-8} {"rx pkts",12} {"rx bytes",14} {"tx pkts",12} {"tx bytes",14} {"drops",10}");
        text.Append(rates ? $" {"rx pps",10} {"tx pps",10}\n" : "\n");
        foreach (PortStatsInfo p in now.Ports)
        {
            string state = !p.Present ? "removed" : p.Up ? "up" : "down";
            ulong drops = p.Drops.Values.Aggregate(0UL, (a, b) => a + b);
            text.Append(CultureInfo.InvariantCulture, $"{p.Name,-16} {state,-8} {p.RxPackets,12} {p.RxBytes,14} {p.TxPackets,12} {p.TxBytes,14} {drops,10}");
            PortStatsInfo? old = before?.Ports.FirstOrDefault(o => o.Name == p.Name);
            if (rates)
            {
                text.Append(CultureInfo.InvariantCulture, $" {(p.RxPackets - (old?.RxPackets ?? 0)) / seconds,10:F0} {(p.TxPackets - (old?.TxPackets ?? 0)) / seconds,10:F0}");
            }
            text.Append('\n');
            foreach ((string reason, ulong n) in p.Drops.Where(d => d.Value > 0))
            {
                text.Append(CultureInfo.InvariantCulture, $"{"",-16}   drop {reason}: {n}\n");
            }
        }
        foreach (WorkerStatsInfo w in now.Workers)
        {
            WorkerStatsInfo? old = before?.Workers.FirstOrDefault(o => o.Index == w.Index);
            double busy = w.BusyRatio;
            double batch = w.AverageBatch;
            if (rates && old is not null && w.LoopSeconds > old.LoopSeconds)
            {
                busy = (w.BusySeconds - old.BusySeconds) / (w.LoopSeconds - old.LoopSeconds);
                batch = w.Batches > old.Batches ? (double)(w.Frames - old.Frames) / (w.Batches - old.Batches) : 0;
            }
            text.Append(CultureInfo.InvariantCulture, $"worker {w.Index}: busy {100 * busy:F1}%, average batch {batch:F1} frames ({w.Batches} bursts, {w.Frames} frames)\n");
        }
        FdbStatsInfo f = now.Fdb;
        text.Append(CultureInfo.InvariantCulture, $"fdb: {f.Entries}/{f.MaxEntries} entries; learned {f.Learned}, moved {f.Moved}, aged {f.Aged}, full {f.Full}\n");
        return text.ToString();
    }
}
