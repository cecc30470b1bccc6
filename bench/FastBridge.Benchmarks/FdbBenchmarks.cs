// The FDB on its own: lookups (hit and miss, batched as the forwarder does them and one key at a time,
// on one thread or two at once) and learning (new stations, and refreshes of known ones).
//
// Method. Every result is ns per key: each invocation handles a fixed number of keys and declares it as
// OperationsPerInvoke. Keys come from pinned arrays built in GlobalSetup: concatenated pseudo-random
// shuffles of the present (or of absent) keys, at least 64 Ki long. Each invocation walks the next
// stretch of the array, so a table of 1 Mi entries is probed all over, missing the caches as real
// traffic would, instead of re-reading the same 64 keys from L1. Batched means LookupBatch/LearnBatch
// with 64 keys per call (Bursts.DefaultFrames), as BatchForwarder calls them.
//
// Table sizes. FdbTable(maxEntries) caps live entries at maxEntries and gives at least twice as many
// slots; FdbTable(1 Mi) holds exactly 1 Mi. Lookups and refreshes use that one table size at every
// population (a bridge configured for 1 Mi entries holding Entries of them), so 1 Mi is a full table.
// Learning new stations needs room on top of 1 Mi, so it uses FdbTable(2 Mi).
//
// Two threads. With Threads = 2, GlobalSetup starts a second thread that spins (SpinWait, never
// sleeping) on a request counter. An invocation bumps the counter, does its own 16 Ki keys, then waits
// until the second thread has done its 16 Ki keys (a different stretch of the same array, its own
// output buffer) on the same table. The time is for both, divided by the keys of one thread: ns per
// key per thread; equal to the 1-thread number if the two threads do not slow each other. The hand-off
// (a cache line each way, under a microsecond) is inside the measurement and is small against 16 Ki keys.
using BenchmarkDotNet.Attributes;
using FastBridge.Datapath.Fdb;

namespace FastBridge.Benchmarks;

[MemoryDiagnoser]
public class FdbLookupBenchmarks
{
    private const int KeysPerInvoke = 16384; // per thread: 256 batches of 64

    private FdbTable _table = null!;
    private ulong[] _hits = [];
    private ulong[] _misses = [];
    private readonly Lane[] _lanes = [new Lane(), new Lane()];
    private SecondThread? _second;

    [Params(1 << 10, 1 << 16, 1 << 20)]
    public int Entries { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    private enum Op { BatchHit, BatchMiss, SingleHit, SingleMiss }

    [GlobalSetup]
    public void Setup()
    {
        _table = FdbBenchKeys.Populated(FdbBenchKeys.LookupMaxEntries, Entries);
        int length = Math.Max(Entries, FdbBenchKeys.MinWalk);
        _hits = FdbBenchKeys.Walk(Entries, length, FdbBenchKeys.Present, seed: 1);
        _misses = FdbBenchKeys.Walk(length, length, FdbBenchKeys.Absent, seed: 2);
        _lanes[0].Offset = 0;
        _lanes[1].Offset = length / 2;
        if (Threads == 2)
        {
            _second = new SecondThread(this);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _second?.Stop();

    [Benchmark(Description = "lookup hit, batch of 64", OperationsPerInvoke = KeysPerInvoke)]
    public void LookupBatchHit() => Invoke(Op.BatchHit);

    [Benchmark(Description = "lookup miss, batch of 64", OperationsPerInvoke = KeysPerInvoke)]
    public void LookupBatchMiss() => Invoke(Op.BatchMiss);

    [Benchmark(Description = "lookup hit, one key", OperationsPerInvoke = KeysPerInvoke)]
    public void LookupSingleHit() => Invoke(Op.SingleHit);

    [Benchmark(Description = "lookup miss, one key", OperationsPerInvoke = KeysPerInvoke)]
    public void LookupSingleMiss() => Invoke(Op.SingleMiss);

    private void Invoke(Op op)
    {
        if (_second is null)
        {
            Run(op, _lanes[0]);
            return;
        }
        int request = _second.Request(op);
        Run(op, _lanes[0]);
        _second.WaitFor(request);
    }

    // The work of one thread for one invocation: the next KeysPerInvoke keys of its stretch of the walk.
    private void Run(Op op, Lane lane)
    {
        ulong[] walk = op is Op.BatchHit or Op.SingleHit ? _hits : _misses;
        int start = lane.Offset;
        lane.Offset = (start + KeysPerInvoke) & (walk.Length - 1); // lengths are powers of two, multiples of KeysPerInvoke
        ReadOnlySpan<ulong> keys = walk.AsSpan(start, KeysPerInvoke);
        if (op is Op.BatchHit or Op.BatchMiss)
        {
            for (int i = 0; i < keys.Length; i += FdbBenchKeys.Batch)
            {
                _table.LookupBatch(keys.Slice(i, FdbBenchKeys.Batch), lane.Ports);
            }
            return;
        }
        int sum = 0;
        foreach (ulong key in keys)
        {
            sum += _table.Lookup(key);
        }
        lane.Sink += sum; // keeps the lookups observable
    }

    private sealed class Lane
    {
        public int Offset;
        public int Sink;
        public readonly int[] Ports = new int[FdbBenchKeys.Batch];
    }

    // The second lookup thread: runs one Run per request, on lane 1. Requests and completions are counters
    // written by one thread each, so a request is a release store and a completion an acquire load.
    private sealed class SecondThread
    {
        private readonly FdbLookupBenchmarks _owner;
        private readonly Thread _thread;
        private int _requested;
        private int _completed;
        private Op _op;
        private volatile bool _stop;

        public SecondThread(FdbLookupBenchmarks owner)
        {
            _owner = owner;
            _thread = new Thread(Loop) { IsBackground = true, Name = "fdb bench 2" };
            _thread.Start();
        }

        public int Request(Op op)
        {
            _op = op;
            int request = _requested + 1;
            Volatile.Write(ref _requested, request);
            return request;
        }

        public void WaitFor(int request)
        {
            var spin = new SpinWait();
            while (Volatile.Read(ref _completed) != request)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }
        }

        public void Stop()
        {
            _stop = true;
            _thread.Join();
        }

        private void Loop()
        {
            int done = 0;
            var spin = new SpinWait();
            while (!_stop)
            {
                int request = Volatile.Read(ref _requested);
                if (request == done)
                {
                    spin.SpinOnce(sleep1Threshold: -1); // pause, then yield; never sleep, so the wake-up stays short
                    continue;
                }
                spin.Reset();
                _owner.Run(_op, _owner._lanes[1]);
                done = request;
                Volatile.Write(ref _completed, done);
            }
        }
    }
}

[MemoryDiagnoser]
public class FdbLearnBenchmarks
{
    private const int KeysPerInvoke = 16384; // 256 batches of 64
    private const int LearnNewMaxEntries = 2 << 20;

    private FdbTable _table = null!;
    private ulong[] _known = [];
    private ulong[] _fresh = [];
    private int _offset;
    private uint _now = FdbBenchKeys.Now;
    private FdbLearnCounts _counts;

    /// <summary>Entries in the table before learning.</summary>
    [Params(1 << 10, 1 << 16, 1 << 20)]
    public int Entries { get; set; }

    [GlobalSetup(Targets = [nameof(RefreshSameNow), nameof(RefreshAdvancingNow)])]
    public void SetupRefresh()
    {
        _table = FdbBenchKeys.Populated(FdbBenchKeys.LookupMaxEntries, Entries);
        _known = FdbBenchKeys.Walk(Entries, Math.Max(Entries, FdbBenchKeys.MinWalk), FdbBenchKeys.Present, seed: 1);
    }

    [GlobalSetup(Target = nameof(LearnNew))]
    public void SetupLearnNew()
    {
        _table = FdbBenchKeys.Populated(LearnNewMaxEntries, Entries);
        _fresh = FdbBenchKeys.Walk(KeysPerInvoke, KeysPerInvoke, FdbBenchKeys.Absent, seed: 3);
    }

    /// <summary>Known keys, same port, same `now`: the stamp is current, so nothing is written.</summary>
    [Benchmark(Description = "refresh, same now, batch of 64", OperationsPerInvoke = KeysPerInvoke)]
    public void RefreshSameNow()
    {
        ReadOnlySpan<ulong> keys = NextKnown();
        for (int i = 0; i < keys.Length; i += FdbBenchKeys.Batch)
        {
            _table.LearnBatch(keys.Slice(i, FdbBenchKeys.Batch), FdbBenchKeys.Port, FdbBenchKeys.Now, ref _counts);
        }
    }

    /// <summary>Known keys, same port, `now` one later for every batch: every entry's stamp is rewritten (a CAS).</summary>
    [Benchmark(Description = "refresh, advancing now, batch of 64", OperationsPerInvoke = KeysPerInvoke)]
    public void RefreshAdvancingNow()
    {
        ReadOnlySpan<ulong> keys = NextKnown();
        for (int i = 0; i < keys.Length; i += FdbBenchKeys.Batch)
        {
            _table.LearnBatch(keys.Slice(i, FdbBenchKeys.Batch), FdbBenchKeys.Port, ++_now, ref _counts);
        }
    }

    // With an iteration setup and cleanup, BenchmarkDotNet makes one invocation per iteration, so each
    // invocation finds the table at Entries and inserts 16 Ki keys it does not hold.
    [IterationSetup(Target = nameof(LearnNew))]
    public void CheckReset()
    {
        if (_table.Count != Entries)
        {
            throw new InvalidOperationException($"learn-new table holds {_table.Count}, expected {Entries}");
        }
    }

    /// <summary>Keys not in the table, learned into a table of 2 Mi max entries that holds Entries.</summary>
    [Benchmark(Description = "learn new, batch of 64", OperationsPerInvoke = KeysPerInvoke)]
    public void LearnNew()
    {
        ReadOnlySpan<ulong> keys = _fresh;
        for (int i = 0; i < keys.Length; i += FdbBenchKeys.Batch)
        {
            _table.LearnBatch(keys.Slice(i, FdbBenchKeys.Batch), FdbBenchKeys.Port, FdbBenchKeys.Now, ref _counts);
        }
    }

    // Removes what LearnNew inserted. Removal leaves tombstones (not reused in place), so the next
    // iteration's inserts land a slot further on; the table rebuilds itself once a quarter of its 4 Mi
    // slots are tombstones, which takes 64 iterations.
    [IterationCleanup(Target = nameof(LearnNew))]
    public void ResetLearnNew()
    {
        if (_table.Count != Entries + KeysPerInvoke)
        {
            throw new InvalidOperationException($"learn-new table holds {_table.Count}, expected {Entries} + {KeysPerInvoke}");
        }
        foreach (ulong key in _fresh)
        {
            _table.Remove(key);
        }
    }

    private ReadOnlySpan<ulong> NextKnown()
    {
        int start = _offset;
        _offset = (start + KeysPerInvoke) & (_known.Length - 1);
        return _known.AsSpan(start, KeysPerInvoke);
    }
}
