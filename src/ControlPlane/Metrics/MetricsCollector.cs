// GET /metrics through prometheus-net: a registry of the daemon's own (no static state, so each
// ApiHost has its own), its standard process metrics (DotNetStats), and FastBridge's families,
// declared here once; the alert rules and the dashboard in deploy/ use these names. Nothing on the
// poll loops' path touches prometheus-net: before each collection, Fold reads one DatapathStats
// snapshot folded from the per-loop single-writer counters (no lock the poll loops take) and brings
// the families up to it. Counters only ever move up to the loops' totals (IncTo), so no scrape
// resets anything: rates and ratios are PromQL's. Folds run one at a time, on a scrape's thread.
// A scrape allocates ~76 KB, most of it prometheus-net's process metrics and serializer (bench/README).
using FastBridge.ControlPlane.Switch;
using FastBridge.Datapath.Hosting;
using Prometheus;

namespace FastBridge.ControlPlane.Metrics;

internal sealed class MetricsCollector
{
    private readonly SwitchCommands _control;
    private readonly Lock _fold = new();
    private readonly PortFamilies _ports;
    private readonly BatchSizeHistogram _batchSizes;
    private readonly Gauge _fdbEntries;
    private readonly Gauge _fdbMaxEntries;
    private readonly Gauge _ageingTime;
    private readonly Counter _busySeconds;
    private readonly Counter _wallSeconds;
    private readonly Counter _controlFrames;
    private readonly Gauge _residentMemory;
    private readonly Gauge _openFds;
    private readonly Gauge _maxFds;
    private readonly Gauge _gcHeap;
    private readonly Counter _gcPause;
    private readonly Counter _gcAllocated;
    private readonly Counter.Child[] _gcGenerations;
    /// <summary>fastbridge_fdb_events_total's learned, moved, aged and full series.</summary>
    private readonly Counter.Child[] _fdbEventSeries;
    private WorkerSeries[]? _workers;

    public MetricsCollector(SwitchCommands control)
    {
        _control = control;
        Registry = Prometheus.Metrics.NewCustomRegistry();
        DotNetStats.Register(Registry);
        IMetricFactory metrics = Prometheus.Metrics.WithCustomRegistry(Registry);
        _ports = new PortFamilies(metrics);
        _batchSizes = new BatchSizeHistogram(metrics);
        // Per configured VLAN on a VLAN-aware switch (bounded by the VLANs configured, no per-port split), one series otherwise.
        _fdbEntries = control.VlanFiltering
            ? metrics.CreateGauge("fastbridge_fdb_entries", "Entries in the forwarding database, by VLAN.", ["vlan"])
            : metrics.CreateGauge("fastbridge_fdb_entries", "Entries in the forwarding database.");
        _fdbMaxEntries = metrics.CreateGauge("fastbridge_fdb_max_entries", "Most entries the forwarding database learns (--fdb-max).");
        Counter fdbEvents = metrics.CreateCounter("fastbridge_fdb_events_total",
            "FDB events: addresses learned, stations moved, entries aged out, addresses not learned because the FDB was full.", ["event"]);
        _fdbEventSeries = [.. ((string[])["learned", "moved", "aged", "full"]).Select(e => fdbEvents.WithLabels(e))];
        _ageingTime = metrics.CreateGauge("fastbridge_ageing_time_seconds", "Seconds a dynamic FDB entry lives without traffic.");
        _busySeconds = metrics.CreateCounter("fastbridge_worker_busy_seconds_total",
            "Wall-clock seconds the poll loop spent in iterations that moved frames; busy share = rate of this / rate of fastbridge_worker_seconds_total.", ["worker"]);
        _wallSeconds = metrics.CreateCounter("fastbridge_worker_seconds_total", "Wall-clock seconds the poll loop has run, blocking waits included.", ["worker"]);
        _controlFrames = metrics.CreateCounter("fastbridge_worker_control_frames_total",
            "Frames between the poll loop and the control plane: punted (taken out of forwarding for it), punt_dropped (its queue was full), injected (sent for it), inject_dropped (port absent or down).",
            ["worker", "event"]);
        metrics.CreateGauge("fastbridge_build_info", "Always 1; the version and the git commit built are the labels.", ["version", "commit"])
            .WithLabels(DaemonInfo.Version, BuildCommit.Value).Set(1);
        _residentMemory = metrics.CreateGauge("process_resident_memory_bytes", "Resident set size in bytes.");
        _openFds = metrics.CreateGauge("process_open_fds", "Number of open file descriptors.");
        _maxFds = metrics.CreateGauge("process_max_fds", "Maximum number of open file descriptors.");
        Counter gcCollections = metrics.CreateCounter("dotnet_gc_collections_total", "Garbage collections, by generation.", ["generation"]);
        _gcGenerations = [.. Enumerable.Range(0, GC.MaxGeneration + 1).Select(g => gcCollections.WithLabels(Label(g)))];
        _gcHeap = metrics.CreateGauge("dotnet_gc_heap_bytes", "Bytes in use on the managed heap.");
        // A collection suspends every managed thread, the poll loops included: the pause total is what forwarding lost to the GC.
        _gcPause = metrics.CreateCounter("dotnet_gc_pause_seconds_total", "Time the process spent paused for garbage collections, all threads suspended.");
        _gcAllocated = metrics.CreateCounter("dotnet_gc_allocated_bytes_total", "Bytes allocated on the managed heap since start, all threads.");
        Registry.AddBeforeCollectCallback(Fold);
    }

    /// <summary>What the /metrics endpoint serves.</summary>
    public CollectorRegistry Registry { get; }

    private void Fold()
    {
        lock (_fold)
        {
            DatapathStats stats = _control.ReadStats();
            _ports.Fold(stats.Ports, _control.BackendOf);
            FoldFdbEntries(stats.FdbEntries);
            _fdbMaxEntries.Set(_control.FdbMaxEntries);
            _fdbEventSeries[0].IncTo(stats.Fdb.Learned);
            _fdbEventSeries[1].IncTo(stats.Fdb.Moved);
            _fdbEventSeries[2].IncTo(stats.Aged);
            _fdbEventSeries[3].IncTo(stats.Fdb.Full);
            _ageingTime.Set(_control.AgeingTimeSeconds);
            FoldWorkers(stats.Loops);
            _batchSizes.Fold(stats.Loops);
            FoldProcess();
        }
    }

    private void FoldFdbEntries(int entries)
    {
        if (!_control.VlanFiltering)
        {
            _fdbEntries.Set(entries);
            return;
        }
        var configured = new HashSet<string>(StringComparer.Ordinal);
        foreach ((ushort vlan, int count) in _control.FdbEntriesByVlan())
        {
            string label = Label(vlan);
            configured.Add(label);
            _fdbEntries.WithLabels(label).Set(count);
        }
        // A VLAN no port is a member of any more has no series: the family stays bounded by the configured VLANs.
        foreach (string[] labels in _fdbEntries.GetAllLabelValues().Where(l => !configured.Contains(l[0])).ToList())
        {
            _fdbEntries.RemoveLabelled(labels);
        }
    }

    private void FoldWorkers(IReadOnlyList<LoopStats> loops)
    {
        // The loops are made once, at start: their series are made on the first fold.
        _workers ??= [.. loops.Select(loop => Label(loop.Index)).Select(worker => new WorkerSeries(_busySeconds.WithLabels(worker), _wallSeconds.WithLabels(worker),
            _controlFrames.WithLabels(worker, "punted"), _controlFrames.WithLabels(worker, "punt_dropped"),
            _controlFrames.WithLabels(worker, "injected"), _controlFrames.WithLabels(worker, "inject_dropped")))];
        foreach (LoopStats loop in loops)
        {
            WorkerSeries series = _workers[loop.Index];
            series.Busy.IncTo(loop.BusySeconds);
            series.Wall.IncTo(loop.LoopSeconds);
            series.Punted.IncTo(loop.Punts.Punted);
            series.PuntDropped.IncTo(loop.Punts.PuntDropped);
            series.Injected.IncTo(loop.Punts.Injected);
            series.InjectDropped.IncTo(loop.Punts.InjectDropped);
        }
    }

    private void FoldProcess()
    {
        _residentMemory.Set(ResidentSetSize.Read());
        _openFds.Set(ProcessFiles.OpenCount());
        _maxFds.Set(ProcessFiles.MaxCount());
        for (int generation = 0; generation < _gcGenerations.Length; generation++)
        {
            _gcGenerations[generation].IncTo(GC.CollectionCount(generation));
        }
        _gcHeap.Set(GC.GetTotalMemory(false));
        _gcPause.IncTo(GC.GetTotalPauseDuration().TotalSeconds);
        _gcAllocated.IncTo(GC.GetTotalAllocatedBytes(precise: false));
    }

    internal static string Label(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private sealed record WorkerSeries(Counter.Child Busy, Counter.Child Wall, Counter.Child Punted, Counter.Child PuntDropped,
        Counter.Child Injected, Counter.Child InjectDropped);
}
