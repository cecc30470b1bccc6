// Ages the FDB a slice at a time, driven by its host's tick (no timer of its own). Each Tick sweeps
// the next 1/ticksPerPass of the table's groups, taking FdbTable's lock for SliceGroups groups at a
// time only, so an `fdb add`, a flush or a snapshot never waits behind a sweep of a whole large table.
// Every slot is visited once per pass: an entry silent for the ageing time is gone within the ageing
// time plus one pass (plus the clock's one-second granularity), and the slots of a flushed port's
// entries are free again within one pass. The ageing-time bounds are the ager's, since its arithmetic
// sets them. Tick: one caller at a time (the host's tick); Aged: any thread.
namespace FastBridge.Datapath.Fdb;

public sealed class FdbAger
{
    /// <summary>Shortest ageing time a bridge accepts, in seconds (the CLI, the config file and the API check against these).</summary>
    public const int MinAgeingTimeSeconds = 1;

    /// <summary>Longest ageing time, in seconds: 11.6 days; ages are compared as signed 32-bit second counts, far below their 68 years.</summary>
    public const int MaxAgeingTimeSeconds = 1_000_000;

    /// <summary>
    /// Groups swept per hold of the lock: 16 Ki slots. On the 2-core dev VM a slice of a table at its
    /// densest (1 Mi entries in 2 Mi slots) took 21-33 µs and a whole pass 5.5 ms, so a control call
    /// waits tens of µs, not the pass.
    /// </summary>
    internal const int SliceGroups = 1024;

    private readonly FdbTable _table;
    private readonly int _groupsPerTick;
    private int _nextGroup;
    private long _aged;

    /// <param name="ticksPerPass">
    /// Ticks per sweep of the whole table. 1, the default, sweeps it all every tick: with the 1-second
    /// tick, once a second, as the bridge has always aged. More spreads a pass over as many ticks.
    /// </param>
    public FdbAger(FdbTable table, int ticksPerPass = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ticksPerPass, 1);
        _table = table;
        _groupsPerTick = (table.GroupCount + ticksPerPass - 1) / ticksPerPass;
    }

    /// <summary>Dynamic entries aged out since start.</summary>
    public long Aged => Interlocked.Read(ref _aged);

    /// <summary>Sweeps this tick's share of the table; returns how many entries it aged out.</summary>
    /// <param name="now">FdbClock.Now (tests pass their own).</param>
    public int Tick(uint now, uint ageingTime)
    {
        int aged = 0;
        for (int left = _groupsPerTick; left > 0;)
        {
            int groups = Math.Min(Math.Min(left, SliceGroups), _table.GroupCount - _nextGroup);
            aged += _table.Age(_nextGroup, groups, now, ageingTime);
            _nextGroup = (_nextGroup + groups) % _table.GroupCount;
            left -= groups;
        }
        Interlocked.Add(ref _aged, aged);
        return aged;
    }
}
