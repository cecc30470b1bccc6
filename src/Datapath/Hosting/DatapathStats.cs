// A snapshot of every counter, folded from the per-loop counters when asked (by the stats line,
// the API and /metrics). Reading never stops or slows a poll loop. Every port id ever used is
// listed, removed ones too (Present false), so totals never go backwards.
using System.Diagnostics;
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Xdp;

namespace FastBridge.Datapath.Hosting;

/// <param name="FastPath">What the XDP fast path moved, already included in Counters (zero without a fast path).</param>
/// <param name="MacFlaps">MAC flaps reported with this port as the one moved to (MacFlapDetector).</param>
public sealed record PortStats(string Name, bool Up, int Errno, PortCounters Counters, bool Present = true, int Id = 0, FastPathCounters FastPath = default,
    long MacFlaps = 0);

public sealed record LoopStats(int Index, ulong Batches, ulong Frames, double BusySeconds, double LoopSeconds, ulong[]? BatchSizes = null,
    PuntCounts Punts = default)
{
    public double AverageBatch => Batches == 0 ? 0 : (double)Frames / Batches;

    /// <summary>Share of wall-clock time spent in iterations that moved frames, since start.</summary>
    public double BusyRatio => LoopSeconds == 0 ? 0 : BusySeconds / LoopSeconds;
}

public sealed record DatapathStats(IReadOnlyList<PortStats> Ports, IReadOnlyList<LoopStats> Loops, int FdbEntries, FdbLearnCounts Fdb, long Aged)
{
    internal static DatapathStats Collect(DatapathHost host, PortRetirement retirement)
    {
        IReadOnlyList<string> names = host.PortNames;
        var ports = new PortStats[names.Count];
        Span<ulong> backendDrops = stackalloc ulong[DropReasons.Count];
        for (int port = 0; port < ports.Length; port++)
        {
            var sum = default(PortCounters);
            backendDrops.Clear();
            foreach (PollLoop loop in host.Loops)
            {
                sum.Add(loop.Counters.Ports[port]);
                PortSet table = loop.Ports;
                if (table.Contains(port))
                {
                    table.Port(port).AddBackendDrops(backendDrops);
                }
            }
            retirement.AddDrops(port, backendDrops);
            FastPathCounters fast = host.FastPathCounts(port);
            DatapathHost.AddFastPath(ref sum, fast);
            for (int reason = 0; reason < DropReasons.Count; reason++)
            {
                sum.Drops[reason] += backendDrops[reason];
            }
            bool present = host.IsPresent(port);
            ports[port] = new PortStats(names[port], present && host.States.IsUp(port), host.States.Errno(port), sum, present, port, fast, host.MacFlapsOf(port));
        }

        var workers = new LoopStats[host.Loops.Count];
        var fdb = default(FdbLearnCounts);
        for (int loop = 0; loop < workers.Length; loop++)
        {
            LoopCounters counters = host.Loops[loop].Counters;
            var sizes = new ulong[LoopCounters.BatchSizeBucketCount];
            for (int b = 0; b < sizes.Length; b++)
            {
                sizes[b] = counters.BatchSizes[b];
            }
            workers[loop] = new LoopStats(loop, counters.Batches, counters.Frames,
                (double)counters.BusyTicks / Stopwatch.Frequency, (double)counters.LoopTicks / Stopwatch.Frequency, sizes, counters.Punts);
            fdb.Learned += counters.Fdb.Learned;
            fdb.Moved += counters.Fdb.Moved;
            fdb.Full += counters.Fdb.Full;
        }
        return new DatapathStats(ports, workers, host.Fdb.Count, fdb, host.Aged);
    }
}
