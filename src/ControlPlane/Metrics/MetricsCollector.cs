// GET /metrics: every family written from one DatapathStats snapshot folded at scrape time from the
// per-loop single-writer counters (no lock the poll loops take), plus the process's own CPU, RSS
// and GC figures. Families and labels are declared here once; the alert rules and the dashboard in
// deploy/ use these names. Scrapes run one at a time (a request thread each) into one reused
// PrometheusWriter and allocate little: a garbage collection stops the poll loops too.
using System.Diagnostics;
using FastBridge.ControlPlane.Switch;
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Hosting;
using Microsoft.AspNetCore.Http;

namespace FastBridge.ControlPlane.Metrics;

internal sealed class MetricsCollector(SwitchCommands control)
{
    /// <summary>Labels for small numbers (workers, generations, batch bounds), made once instead of per scrape.</summary>
    private static readonly string[] s_numbers = [.. Enumerable.Range(0, 129).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    private readonly SemaphoreSlim _oneScrape = new(1, 1);
    private readonly PrometheusWriter _writer = new();
    private readonly double _startTime = StartTime();
    private double[] _lastBusy = [];
    private double[] _lastLoop = [];

    /// <summary>Writes a scrape as the response; the buffer is reused once the response has it.</summary>
    public async Task ServeAsync(HttpResponse response)
    {
        await _oneScrape.WaitAsync();
        try
        {
            Scrape();
            response.ContentType = PrometheusWriter.ContentType;
            response.ContentLength = _writer.Written.Length;
            await response.Body.WriteAsync(_writer.Written);
        }
        finally
        {
            _oneScrape.Release();
        }
    }

    private void Scrape()
    {
        DatapathStats stats = control.ReadStats();
        PrometheusWriter w = _writer;
        w.Clear();

        WritePortCounter(w, stats, "fastbridge_port_rx_packets_total", "Frames received on the port.", c => c.RxPackets);
        WritePortCounter(w, stats, "fastbridge_port_rx_bytes_total", "Bytes received on the port.", c => c.RxBytes);
        WritePortCounter(w, stats, "fastbridge_port_tx_packets_total", "Frames transmitted on the port.", c => c.TxPackets);
        WritePortCounter(w, stats, "fastbridge_port_tx_bytes_total", "Bytes transmitted on the port.", c => c.TxBytes);
        WritePortCounter(w, stats, "fastbridge_port_floods_total", "Frames received on the port that were flooded.", c => c.Floods);
        WritePortCounter(w, stats, "fastbridge_port_fdb_limit_hits_total", "New sources on the port not learned: it held its max_learned.", c => c.FdbLimitHits);

        w.Family("fastbridge_port_drops_total", MetricType.Counter, "Frames dropped, by port and reason (ingress reasons on the ingress port, too_big, no_tx_room and tx_refused on the egress port).");
        foreach (PortStats port in stats.Ports)
        {
            for (int r = 0; r < DropReasons.Count; r++)
            {
                w.Sample("fastbridge_port_drops_total", port.Counters.Drops[r], "port", port.Name, "reason", DropReasons.Label((DropReason)r));
            }
        }

        w.Family("fastbridge_port_up", MetricType.Gauge, "1 while the port forwards, 0 when its interface failed; ports removed from the bridge are not listed.");
        foreach (PortStats port in stats.Ports)
        {
            if (port.Present)
            {
                w.Sample("fastbridge_port_up", port.Up ? 1 : 0, "port", port.Name, "backend", control.BackendOf(port.Name));
            }
        }

        w.Family("fastbridge_fdb_entries", MetricType.Gauge, "Entries in the forwarding database.");
        w.Sample("fastbridge_fdb_entries", stats.FdbEntries);
        w.Family("fastbridge_fdb_max_entries", MetricType.Gauge, "Most entries the forwarding database learns (--fdb-max).");
        w.Sample("fastbridge_fdb_max_entries", control.FdbMaxEntries);
        w.Family("fastbridge_fdb_events_total", MetricType.Counter, "FDB events: addresses learned, stations moved, entries aged out, addresses not learned because the FDB was full.");
        w.Sample("fastbridge_fdb_events_total", stats.Fdb.Learned, "event", "learned");
        w.Sample("fastbridge_fdb_events_total", stats.Fdb.Moved, "event", "moved");
        w.Sample("fastbridge_fdb_events_total", stats.Aged, "event", "aged");
        w.Sample("fastbridge_fdb_events_total", stats.Fdb.Full, "event", "full");
        w.Family("fastbridge_ageing_time_seconds", MetricType.Gauge, "Seconds a dynamic FDB entry lives without traffic.");
        w.Sample("fastbridge_ageing_time_seconds", control.AgeingTimeSeconds);

        WriteWorkers(w, stats);
        WriteBatchHistogram(w, stats);

        w.Family("fastbridge_build_info", MetricType.Gauge, "Always 1; the version is the label.");
        w.Sample("fastbridge_build_info", 1, "version", DaemonInfo.Version);
        WriteProcess(w);
    }

    private static void WritePortCounter(PrometheusWriter w, DatapathStats stats, string name, string help, Func<PortCounters, ulong> value)
    {
        w.Family(name, MetricType.Counter, help + " Removed ports keep their totals.");
        foreach (PortStats port in stats.Ports)
        {
            w.Sample(name, value(port.Counters), "port", port.Name);
        }
    }

    private void WriteWorkers(PrometheusWriter w, DatapathStats stats)
    {
        w.Family("fastbridge_worker_busy_seconds_total", MetricType.Counter, "Seconds the poll loop spent in iterations that moved frames.");
        foreach (LoopStats worker in stats.Loops)
        {
            w.Sample("fastbridge_worker_busy_seconds_total", worker.BusySeconds, "worker", Label(worker.Index));
        }
        w.Family("fastbridge_worker_loop_seconds_total", MetricType.Counter, "Seconds the poll loop spent iterating (busy or polling), blocking waits excluded.");
        foreach (LoopStats worker in stats.Loops)
        {
            w.Sample("fastbridge_worker_loop_seconds_total", worker.LoopSeconds, "worker", Label(worker.Index));
        }
        w.Family("fastbridge_worker_control_frames_total", MetricType.Counter,
            "Frames between the poll loop and the control plane: punted (taken out of forwarding for it), punt_dropped (its queue was full), injected (sent for it), inject_dropped (port absent or down).");
        foreach (LoopStats loop in stats.Loops)
        {
            string index = Label(loop.Index);
            w.Sample("fastbridge_worker_control_frames_total", loop.Punts.Punted, "worker", index, "event", "punted");
            w.Sample("fastbridge_worker_control_frames_total", loop.Punts.PuntDropped, "worker", index, "event", "punt_dropped");
            w.Sample("fastbridge_worker_control_frames_total", loop.Punts.Injected, "worker", index, "event", "injected");
            w.Sample("fastbridge_worker_control_frames_total", loop.Punts.InjectDropped, "worker", index, "event", "inject_dropped");
        }
        // The ratio over the time since the previous scrape (since start on the first).
        w.Family("fastbridge_worker_busy_ratio", MetricType.Gauge, "Share of the poll loop's iterating time spent moving frames, since the previous scrape.");
        if (_lastBusy.Length != stats.Loops.Count)
        {
            _lastBusy = new double[stats.Loops.Count];
            _lastLoop = new double[stats.Loops.Count];
        }
        foreach (LoopStats worker in stats.Loops)
        {
            double busy = worker.BusySeconds - _lastBusy[worker.Index];
            double loop = worker.LoopSeconds - _lastLoop[worker.Index];
            _lastBusy[worker.Index] = worker.BusySeconds;
            _lastLoop[worker.Index] = worker.LoopSeconds;
            w.Sample("fastbridge_worker_busy_ratio", loop > 0 ? Math.Clamp(busy / loop, 0, 1) : 0, "worker", Label(worker.Index));
        }
    }

    private static void WriteBatchHistogram(PrometheusWriter w, DatapathStats stats)
    {
        const string Name = "fastbridge_worker_batch_size";
        w.Family(Name, MetricType.Histogram, "Frames per received burst, all poll loops.");
        Span<ulong> buckets = stackalloc ulong[LoopCounters.BatchSizeBucketCount];
        double sum = 0;
        foreach (LoopStats worker in stats.Loops)
        {
            for (int b = 0; b < buckets.Length; b++)
            {
                buckets[b] += worker.BatchSizes?[b] ?? 0;
            }
            sum += worker.Frames;
        }
        ulong cumulative = 0;
        ReadOnlySpan<int> bounds = LoopCounters.BatchSizeBounds;
        for (int b = 0; b < buckets.Length; b++)
        {
            cumulative += buckets[b];
            w.Sample(Name + "_bucket", cumulative, "le", b < bounds.Length ? Label(bounds[b]) : "+Inf");
        }
        w.Sample(Name + "_sum", sum);
        // The count is the +Inf bucket, so the two always agree even mid-burst.
        w.Sample(Name + "_count", cumulative);
    }

    private void WriteProcess(PrometheusWriter w)
    {
        w.Family("process_cpu_seconds_total", MetricType.Counter, "User and system CPU time spent, in seconds.");
        w.Sample("process_cpu_seconds_total", Environment.CpuUsage.TotalTime.TotalSeconds);
        w.Family("process_resident_memory_bytes", MetricType.Gauge, "Resident set size in bytes.");
        w.Sample("process_resident_memory_bytes", ResidentSetSize.Read());
        w.Family("process_start_time_seconds", MetricType.Gauge, "Start time of the process since the Unix epoch, in seconds.");
        w.Sample("process_start_time_seconds", _startTime);
        w.Family("dotnet_gc_collections_total", MetricType.Counter, "Garbage collections, by generation.");
        for (int generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            w.Sample("dotnet_gc_collections_total", GC.CollectionCount(generation), "generation", Label(generation));
        }
        w.Family("dotnet_gc_heap_bytes", MetricType.Gauge, "Bytes in use on the managed heap.");
        w.Sample("dotnet_gc_heap_bytes", GC.GetTotalMemory(false));
        // A collection suspends every managed thread, the poll loops included: the pause total is what forwarding lost to the GC.
        w.Family("dotnet_gc_pause_seconds_total", MetricType.Counter, "Time the process spent paused for garbage collections, all threads suspended.");
        w.Sample("dotnet_gc_pause_seconds_total", GC.GetTotalPauseDuration().TotalSeconds);
        w.Family("dotnet_gc_allocated_bytes_total", MetricType.Counter, "Bytes allocated on the managed heap since start, all threads.");
        w.Sample("dotnet_gc_allocated_bytes_total", GC.GetTotalAllocatedBytes(precise: false));
    }

    private static string Label(int value) =>
        (uint)value < (uint)s_numbers.Length ? s_numbers[value] : value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static double StartTime()
    {
        using Process self = Process.GetCurrentProcess();
        return new DateTimeOffset(self.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0;
    }
}
