// A snapshot of every counter, folded from the per-loop counters when asked (by the stats line,
// and later the API and /metrics). Reading never stops or slows a poll loop.
using System.Diagnostics;
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Ports;

namespace FastBridge.Datapath.Forwarding;

public sealed record PortStats(string Name, bool Up, int Errno, PortCounters Counters);

public sealed record WorkerStats(int Index, ulong Batches, ulong Frames, double BusySeconds, double LoopSeconds)
{
    public double AverageBatch => Batches == 0 ? 0 : (double)Frames / Batches;
}

public sealed record BridgeStats(IReadOnlyList<PortStats> Ports, IReadOnlyList<WorkerStats> Workers, int FdbEntries, FdbLearnCounts Fdb, long Aged)
{
    internal static BridgeStats Collect(Bridge bridge, IPort[][] portsByLoop)
    {
        var ports = new PortStats[bridge.PortNames.Count];
        Span<ulong> backendDrops = stackalloc ulong[DropReasons.Count];
        for (int port = 0; port < ports.Length; port++)
        {
            var sum = default(PortCounters);
            backendDrops.Clear();
            for (int loop = 0; loop < bridge.Loops.Count; loop++)
            {
                sum.Add(bridge.Loops[loop].Counters.Ports[port]);
                portsByLoop[loop][port].AddBackendDrops(backendDrops);
            }
            for (int reason = 0; reason < DropReasons.Count; reason++)
            {
                sum.Drops[reason] += backendDrops[reason];
            }
            ports[port] = new PortStats(bridge.PortNames[port], bridge.States.IsUp(port), bridge.States.Errno(port), sum);
        }

        var workers = new WorkerStats[bridge.Loops.Count];
        var fdb = default(FdbLearnCounts);
        for (int loop = 0; loop < workers.Length; loop++)
        {
            WorkerCounters counters = bridge.Loops[loop].Counters;
            workers[loop] = new WorkerStats(loop, counters.Batches, counters.Frames,
                (double)counters.BusyTicks / Stopwatch.Frequency, (double)counters.LoopTicks / Stopwatch.Frequency);
            fdb.Learned += counters.Fdb.Learned;
            fdb.Moved += counters.Fdb.Moved;
            fdb.Full += counters.Fdb.Full;
        }
        return new BridgeStats(ports, workers, bridge.Fdb.Count, fdb, bridge.Aged);
    }
}
