using FastBridge.Datapath.Fdb;

namespace FastBridge.Tests.Datapath.Fdb;

public sealed class FdbTableTests
{
    private const uint AgeingTime = 300;
    private static readonly ulong s_a = FdbKey.Make(0x0200_0000_000AUL, 0);
    private static readonly ulong s_b = FdbKey.Make(0x0200_0000_000BUL, 0);
    private static readonly ulong s_c = FdbKey.Make(0x0200_0000_000CUL, 0);

    [Fact]
    public void Learn_NewKey_IsLearnedAndFound()
    {
        var table = new FdbTable(1024);

        Assert.Equal(LearnOutcome.Learned, table.Learn(s_a, 3, 100));

        Assert.Equal(3, table.Lookup(s_a));
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void Lookup_UnknownKey_IsMiss()
    {
        var table = new FdbTable(1024);
        table.Learn(s_a, 3, 100);

        Assert.Equal(FdbTable.Miss, table.Lookup(s_b));
        Assert.Equal(FdbTable.Miss, table.Lookup(0));
    }

    [Fact]
    public void Learn_KnownKeyOnOtherPort_IsMovedAndLookupFollows()
    {
        var table = new FdbTable(1024);
        table.Learn(s_a, 3, 100);

        Assert.Equal(LearnOutcome.Moved, table.Learn(s_a, 5, 100));

        Assert.Equal(5, table.Lookup(s_a));
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void Learn_SameSecond_IsUnchangedAndLaterSecondIsRefreshed()
    {
        var table = new FdbTable(1024);
        table.Learn(s_a, 3, 100);

        Assert.Equal(LearnOutcome.Unchanged, table.Learn(s_a, 3, 100));
        Assert.Equal(LearnOutcome.Refreshed, table.Learn(s_a, 3, 101));
        Assert.Equal(LearnOutcome.Unchanged, table.Learn(s_a, 3, 100)); // a core whose clock read is a second behind
        Assert.Equal(101u, table.Snapshot().Single().LastSeen);
    }

    [Fact]
    public void Learn_KeyZero_IsNeverLearned()
    {
        var table = new FdbTable(16);

        Assert.Equal(LearnOutcome.Unchanged, table.Learn(0, 1, 100));

        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void Age_JustBeforeAndAtAgeingTime_KeepsThenRemoves()
    {
        var table = new FdbTable(1024);
        table.Learn(s_a, 3, 100);

        Assert.Equal(0, Age(table, 100 + AgeingTime - 1, AgeingTime));
        Assert.Equal(3, table.Lookup(s_a));

        Assert.Equal(1, Age(table, 100 + AgeingTime, AgeingTime));
        Assert.Equal(FdbTable.Miss, table.Lookup(s_a));
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void Age_RefreshInBetween_KeepsEntryAlive()
    {
        var table = new FdbTable(1024);
        table.Learn(s_a, 3, 100);
        Assert.Equal(LearnOutcome.Refreshed, table.Learn(s_a, 3, 250));

        Assert.Equal(0, Age(table, 100 + AgeingTime, AgeingTime));
        Assert.Equal(3, table.Lookup(s_a));

        Assert.Equal(1, Age(table, 250 + AgeingTime, AgeingTime));
        Assert.Equal(FdbTable.Miss, table.Lookup(s_a));
    }

    [Fact]
    public void Age_StampAfterNow_IsNotAgedOut()
    {
        // The ager's `now` may be read a second before a learner stamps an entry with the next second.
        var table = new FdbTable(1024);
        table.Learn(s_a, 3, 101);

        Assert.Equal(0, Age(table, 100, AgeingTime));
        Assert.Equal(3, table.Lookup(s_a));
    }

    [Fact]
    public void AddStatic_ThenLearnElsewhereAndAge_NeverMovesOrAges()
    {
        var table = new FdbTable(1024);
        Assert.True(table.AddStatic(s_a, 7));

        Assert.Equal(LearnOutcome.Static, table.Learn(s_a, 3, 100));
        Assert.Equal(0, Age(table, uint.MaxValue / 2, AgeingTime));
        Assert.Equal(0, table.FlushPort(7));
        Assert.Equal(0, table.FlushAll());

        Assert.Equal(7, table.Lookup(s_a));
        FdbEntry entry = table.Snapshot().Single();
        Assert.True(entry.IsStatic);
        Assert.Equal(7, entry.Port);
    }

    [Fact]
    public void AddStatic_OverDynamic_ReplacesIt()
    {
        var table = new FdbTable(1024);
        table.Learn(s_a, 3, 100);

        Assert.True(table.AddStatic(s_a, 9));

        Assert.Equal(9, table.Lookup(s_a));
        Assert.Equal(1, table.Count);
        Assert.True(table.Snapshot().Single().IsStatic);
    }

    [Fact]
    public void AddDynamic_NewKey_LearnsAndAges()
    {
        var table = new FdbTable(1024);

        Assert.True(table.AddDynamic(s_a, 2, 100));
        Assert.Equal(LearnOutcome.Unchanged, table.Learn(s_a, 2, 100));

        Assert.Equal(1, Age(table, 100 + AgeingTime, AgeingTime));
        Assert.Equal(FdbTable.Miss, table.Lookup(s_a));
    }

    [Fact]
    public void AddStaticOrDynamic_InvalidArguments_Throw()
    {
        var table = new FdbTable(16);

        Assert.Throws<ArgumentException>(() => table.AddStatic(0, 1));
        Assert.Throws<ArgumentException>(() => table.AddDynamic(0, 1, 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => table.AddStatic(s_a, 4096));
        Assert.Throws<ArgumentOutOfRangeException>(() => table.AddDynamic(s_a, -1, 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FdbTable(0));
    }

    [Fact]
    public void Learn_TableFull_NewKeyRefusedExistingKeysKeepWorking()
    {
        var table = new FdbTable(2);
        Assert.Equal(LearnOutcome.Learned, table.Learn(s_a, 1, 100));
        Assert.Equal(LearnOutcome.Learned, table.Learn(s_b, 1, 100));

        Assert.Equal(LearnOutcome.TableFull, table.Learn(s_c, 1, 100));
        Assert.Equal(FdbTable.Miss, table.Lookup(s_c));
        Assert.False(table.AddStatic(s_c, 1));
        Assert.False(table.AddDynamic(s_c, 1, 100));
        Assert.Equal(LearnOutcome.Refreshed, table.Learn(s_a, 1, 101));
        Assert.Equal(LearnOutcome.Moved, table.Learn(s_b, 2, 101));
        Assert.True(table.AddStatic(s_a, 4)); // replacing needs no room
        Assert.Equal(2, table.Count);

        Assert.True(table.Remove(s_b));
        Assert.Equal(LearnOutcome.Learned, table.Learn(s_c, 1, 102));
        Assert.Equal(1, table.Lookup(s_c));
        Assert.Equal(2, table.Count);
    }

    [Fact]
    public void FlushPort_MixedPorts_RemovesOnlyThatPortsDynamicEntries()
    {
        var table = new FdbTable(1024);
        table.Learn(s_a, 1, 100);
        table.Learn(s_b, 2, 100);
        table.AddStatic(s_c, 1);

        Assert.Equal(1, table.FlushPort(1));

        Assert.Equal(FdbTable.Miss, table.Lookup(s_a));
        Assert.Equal(2, table.Lookup(s_b));
        Assert.Equal(1, table.Lookup(s_c));
    }

    [Fact]
    public void FlushAll_MixedEntries_KeepsOnlyStatic()
    {
        var table = new FdbTable(1024);
        table.Learn(s_a, 1, 100);
        table.Learn(s_b, 2, 100);
        table.AddStatic(s_c, 3);

        Assert.Equal(2, table.FlushAll());

        Assert.Equal(1, table.Count);
        Assert.Equal(3, table.Lookup(s_c));
    }

    [Fact]
    public void Remove_ThenLearn_IsLearnedAgain()
    {
        var table = new FdbTable(1024);
        table.Learn(s_a, 1, 100);

        Assert.True(table.Remove(s_a));
        Assert.False(table.Remove(s_a));
        Assert.Equal(FdbTable.Miss, table.Lookup(s_a));

        Assert.Equal(LearnOutcome.Learned, table.Learn(s_a, 2, 101));
        Assert.Equal(2, table.Lookup(s_a));
        Assert.Equal(1, table.Count);
        Assert.Single(table.Snapshot());
    }

    [Fact]
    public void Learn_SameMacOtherVlan_IsSeparateEntry()
    {
        var table = new FdbTable(1024);
        ulong mac = 0x0200_0000_0042UL;

        Assert.Equal(LearnOutcome.Learned, table.Learn(FdbKey.Make(mac, 10), 1, 100));
        Assert.Equal(LearnOutcome.Learned, table.Learn(FdbKey.Make(mac, 20), 2, 100));

        Assert.Equal(1, table.Lookup(FdbKey.Make(mac, 10)));
        Assert.Equal(2, table.Lookup(FdbKey.Make(mac, 20)));
        Assert.Equal(FdbTable.Miss, table.Lookup(FdbKey.Make(mac, 0)));
        Assert.Equal(2, table.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(64)]
    [InlineData(65)]
    public void LookupBatch_RandomHitsAndMisses_EqualsLookup(int size)
    {
        var random = new Random(size);
        var table = new FdbTable(4096);
        ulong[] keys = new ulong[size];
        for (int i = 0; i < size; i++)
        {
            keys[i] = FdbKey.Make(0x0200_0000_0000UL | (ulong)random.NextInt64(1L << 40), (ushort)random.Next(4096));
            if (i % 2 == 0 || random.Next(4) == 0) // hits at even indexes, misses at most odd ones
            {
                table.Learn(keys[i], random.Next(4096), 100);
            }
        }
        int[] ports = new int[size];

        table.LookupBatch(keys, ports);

        for (int i = 0; i < size; i++)
        {
            Assert.Equal(table.Lookup(keys[i]), ports[i]);
        }
        Assert.Contains(ports, p => p != FdbTable.Miss);
        if (size > 1)
        {
            Assert.Contains(FdbTable.Miss, ports);
        }
    }

    [Fact]
    public void LearnBatch_Burst_CountsLearnedMovedAndFull()
    {
        var table = new FdbTable(4);
        table.Learn(s_a, 1, 100);
        ulong[] burst = [s_a, s_b, s_c, s_b, FdbKey.Make(0x0200_0000_00D0UL, 0), FdbKey.Make(0x0200_0000_00E0UL, 0), 0];
        var counts = new FdbLearnCounts();

        table.LearnBatch(burst, 2, 100, ref counts);

        Assert.Equal(3, counts.Learned); // b, c, d (b again is Unchanged)
        Assert.Equal(1, counts.Moved);   // a from 1 to 2
        Assert.Equal(1, counts.Full);    // e
        Assert.Equal(2, table.Lookup(s_a));
        Assert.Equal(4, table.Count);
    }

    [Fact]
    public void LearnAndAge_ChurnOf100xCapacity_ReclaimsTombstonesWithoutFalseFull()
    {
        const int Max = 64;
        const int PerSecond = 16;
        var table = new FdbTable(Max);
        Assert.True(table.AddStatic(s_a, 4000));
        uint next = 1;
        for (uint now = 1000; next < 100 * Max; now++)
        {
            // Live at most: this second's and last second's keys plus the static one, 33 < 64: never full.
            uint first = next;
            for (int i = 0; i < PerSecond; i++, next++)
            {
                Assert.Equal(LearnOutcome.Learned, table.Learn(ChurnKey(next), (int)(next % 8), now));
            }
            Assert.True(table.Remove(ChurnKey(next - 1)));

            Assert.Equal(now >= 1002 ? PerSecond - 1 : 0, Age(table, now, 2));

            for (uint k = first; k < next - 1; k++)
            {
                Assert.Equal((int)(k % 8), table.Lookup(ChurnKey(k)));
            }
            Assert.Equal(FdbTable.Miss, table.Lookup(ChurnKey(next - 1)));
            Assert.Equal(FdbTable.Miss, table.Lookup(ChurnKey(first - 2 * PerSecond)));
            Assert.Equal(4000, table.Lookup(s_a));
            Assert.Equal(1 + (PerSecond - 1) * (now >= 1001 ? 2 : 1), table.Count);
        }
        Assert.True(table.Rebuilds > 10, $"only {table.Rebuilds} rebuilds: tombstones were not reclaimed");
        Assert.Equal(table.Count, table.Snapshot().Count);
    }

    /// <summary>One whole pass of the ager, as the 1-second tick makes.</summary>
    private static int Age(FdbTable table, uint now, uint ageingTime) => new FdbAger(table).Tick(now, ageingTime);

    private static ulong ChurnKey(uint i) => FdbKey.Make(0x0600_0000_0000UL | i, (ushort)(i % 3));
}
