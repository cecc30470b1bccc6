using FastBridge.Datapath.Fdb;
using static FastBridge.Tests.Datapath.Fdb.FdbTestTables;

namespace FastBridge.Tests.Datapath.Fdb;

/// <summary>Flush by port in O(1): what a bumped port generation hides at once, and what the ager then reclaims.</summary>
public sealed class FdbPortGenerationsTests
{
    private const uint Now = 100;
    private static readonly ulong s_static = FdbKey.Make(0x0200_0000_005AUL, 0);

    [Fact]
    public void FlushPort_DynamicEntries_HiddenFromLookupsSnapshotAndCountAtOnce()
    {
        var table = new FdbTable(1024);
        table.Learn(StationA, 1, Now);
        table.Learn(StationB, 1, Now);
        table.Learn(StationC, 2, Now);

        Assert.Equal(2, table.FlushPort(1));

        Assert.Equal(FdbTable.Miss, table.Lookup(StationA));
        int[] ports = new int[3];
        table.LookupBatch([StationA, StationB, StationC], ports);
        Assert.Equal([FdbTable.Miss, FdbTable.Miss, 2], ports);
        Assert.Equal(StationC, Assert.Single(table.Snapshot()).Key);
        Assert.Equal(1, table.Count);
        Assert.False(table.Remove(StationA));
        Assert.Equal(0, table.FlushPort(1));
    }

    [Fact]
    public void FlushPort_WithoutAndWithStatic_KeepsStaticEntriesUntilAsked()
    {
        var table = new FdbTable(1024);
        table.Learn(StationA, 1, Now);
        Assert.True(table.AddStatic(s_static, 1));

        Assert.Equal(1, table.FlushPort(1));
        Assert.Equal(1, table.Lookup(s_static));
        Assert.Equal(LearnOutcome.Static, table.Learn(s_static, 2, Now));
        Assert.Equal(1, table.Count);

        Assert.Equal(1, table.FlushPort(1, withStatic: true));
        Assert.Equal(FdbTable.Miss, table.Lookup(s_static));
        Assert.Empty(table.Snapshot());
        Assert.Equal(0, table.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Learn_FlushedEntry_IsLearnedAfreshOnAnyPortInItsOldSlot(int port)
    {
        FdbTable table = Flushed(1024, StationA);

        Assert.Equal(LearnOutcome.Learned, table.Learn(StationA, port, Now));

        Assert.Equal(port, table.Lookup(StationA));
        Assert.Equal(1, table.Count);
        Assert.Equal(1, table.SlotsInUse);
        Assert.Equal(new FdbEntry(StationA, port, false, Now), Assert.Single(table.Snapshot()));
    }

    [Fact]
    public void LearnBatch_FlushedStaticEntry_IsLearnedAsDynamicElsewhere()
    {
        var table = new FdbTable(1024);
        Assert.True(table.AddStatic(s_static, 1));
        table.FlushPort(1, withStatic: true);
        var counts = new FdbLearnCounts();

        table.LearnBatch([s_static], 3, Now, ref counts);

        Assert.Equal(1, counts.Learned);
        Assert.Equal(new FdbEntry(s_static, 3, false, Now), Assert.Single(table.Snapshot()));
    }

    [Fact]
    public void AddStaticOrDynamic_OverFlushedEntry_ReplaceItAndCountOnce()
    {
        FdbTable table = Flushed(1024, StationA, StationB);

        Assert.True(table.AddStatic(StationA, 3));
        Assert.True(table.AddDynamic(StationB, 4, Now));

        Assert.Equal(3, table.Lookup(StationA));
        Assert.Equal(4, table.Lookup(StationB));
        Assert.Equal(2, table.Count);
        Assert.Equal(2, table.Snapshot().Count);
    }

    [Fact]
    public void AgerPass_AfterFlush_ReclaimsTheSlotsWithoutCountingThemAged()
    {
        var table = new FdbTable(1024);
        for (uint i = 1; i <= 100; i++)
        {
            table.Learn(FdbKey.Make(0x0600_0000_0000UL | i, 0), 1, Now);
        }
        table.Learn(StationA, 2, Now);
        Assert.Equal(100, table.FlushPort(1));
        Assert.Equal(101, table.SlotsInUse);
        var ager = new FdbAger(table);

        Assert.Equal(0, ager.Tick(Now + 1, 300));

        Assert.Equal(0, ager.Aged);
        Assert.Equal(1, table.SlotsInUse);
        Assert.Equal(1, table.Count);
        Assert.Equal(2, table.Lookup(StationA));
    }

    [Fact]
    public void AgerPass_BegunAfterTheLastFlush_LetsTheDatapathStopComparingGenerations()
    {
        var table = new FdbTable(4096);
        var ager = new FdbAger(table, ticksPerPass: 2);
        table.Learn(StationA, 1, Now);
        Assert.False(table.MayHoldFlushed);

        table.FlushPort(1);
        Assert.True(table.MayHoldFlushed);
        ager.Tick(Now, 300);
        table.FlushPort(2); // during the pass: the pass may have gone by this port's entries
        ager.Tick(Now, 300);
        Assert.True(table.MayHoldFlushed);
        ager.Tick(Now, 300);
        ager.Tick(Now, 300);

        Assert.False(table.MayHoldFlushed);
        Assert.Equal(FdbTable.Miss, table.Lookup(StationA));
        Assert.Equal(0, table.SlotsInUse);
        Assert.Equal(LearnOutcome.Learned, table.Learn(StationA, 2, Now));
    }

    [Fact]
    public void Learn_FullTableAfterFlush_NewStationsLearnedOnceTheAgerReclaims()
    {
        FdbTable table = Flushed(2, StationA, StationB);

        // Flushed entries hold their slots until the ager's next pass (within a second); their own
        // stations re-learn in place meanwhile.
        Assert.Equal(LearnOutcome.TableFull, table.Learn(StationC, 2, Now));
        Assert.Equal(LearnOutcome.Learned, table.Learn(StationA, 2, Now));
        new FdbAger(table).Tick(Now, 300);

        Assert.Equal(LearnOutcome.Learned, table.Learn(StationC, 2, Now));
        Assert.Equal(2, table.Count);
    }

    [Fact]
    public void FlushAll_ThenLearnAgain_CountsStayExact()
    {
        var table = new FdbTable(1024);
        table.Learn(StationA, 1, Now);
        table.Learn(StationB, 4095, Now);
        Assert.True(table.AddStatic(s_static, 7));

        Assert.Equal(2, table.FlushAll());
        Assert.Equal(1, table.Count);
        Assert.Equal(LearnOutcome.Learned, table.Learn(StationB, 4095, Now));
        Assert.Equal(LearnOutcome.Learned, table.Learn(StationC, 0, Now));

        Assert.Equal(3, table.Count);
        Assert.Equal(2, table.FlushAll());
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void FlushPort_65536Times_FlushedEntryNeverComesBack()
    {
        // A 16-bit generation comes round to the flushed entry's after 65536 flushes, unless the table
        // drops stale entries first.
        var table = new FdbTable(1024);
        table.Learn(StationA, 1, Now);

        for (int flush = 0; flush < 1 << 16; flush++)
        {
            table.FlushPort(1);
        }

        Assert.Equal(FdbTable.Miss, table.Lookup(StationA));
        Assert.Empty(table.Snapshot());
        Assert.Equal(0, table.Count);
        Assert.True(table.Rebuilds >= 1);
    }

    [Fact]
    public void FlushPort_PortOutOfRange_Throws()
    {
        var table = new FdbTable(16);

        Assert.Throws<ArgumentOutOfRangeException>(() => table.FlushPort(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => table.FlushPort(FdbTable.MaxPort + 1));
    }

    /// <summary>A table whose stations were learned on port 1, then port 1 flushed.</summary>
    private static FdbTable Flushed(int maxEntries, params ulong[] stations)
    {
        var table = new FdbTable(maxEntries);
        foreach (ulong station in stations)
        {
            table.Learn(station, 1, Now);
        }
        Assert.Equal(stations.Length, table.FlushPort(1));
        return table;
    }
}
