using FastBridge.Datapath.Fdb;

namespace FastBridge.Tests.Datapath.Fdb;

public sealed class FdbAgerTests
{
    /// <summary>The ageing time, and the second LearnAll stamps its stations with.</summary>
    private const uint AgeingTime = 300, Learned = 1000;

    [Theory]
    [InlineData(1)]
    [InlineData(2)] // 4096 groups a tick: four slices under the lock per tick
    [InlineData(3)] // 8192 groups do not split in three: the last tick wraps round to the top
    [InlineData(8)]
    public void Tick_AllDue_EveryEntryAgedWithinOnePassAndNotBefore(int ticksPerPass)
    {
        var table = new FdbTable(1 << 16); // 128 Ki slots, 8192 groups
        LearnAll(table, 20_000, Learned);
        var ager = new FdbAger(table, ticksPerPass);

        int aged = 0;
        for (int tick = 1; tick <= ticksPerPass; tick++)
        {
            aged += ager.Tick(Learned + AgeingTime, AgeingTime);
            if (tick < ticksPerPass)
            {
                Assert.InRange(table.Count, 1, 20_000 - 1); // a slice, not the whole table
            }
        }

        Assert.Equal(20_000, aged);
        Assert.Equal(0, table.Count);
        Assert.Equal(20_000, ager.Aged);
    }

    [Fact]
    public void Tick_EverySecond_SilentEntryGoneWithinAgeingTimePlusOnePass()
    {
        const int TicksPerPass = 4;
        const uint Ageing = 2;
        var table = new FdbTable(4096);
        var ager = new FdbAger(table, TicksPerPass);
        ager.Tick(Learned, Ageing); // the cursor somewhere mid-table, as in a running bridge
        LearnAll(table, 2000, Learned);

        uint now = Learned;
        while (table.Count > 0)
        {
            now++;
            ager.Tick(now, Ageing);
            if (now < Learned + Ageing)
            {
                Assert.Equal(2000, table.Count);
            }
        }

        Assert.InRange(now, Learned + Ageing, Learned + Ageing + TicksPerPass - 1);
    }

    [Fact]
    public void Tick_SecondPass_StartsOverFromTheTop()
    {
        var table = new FdbTable(4096);
        var ager = new FdbAger(table, ticksPerPass: 4);
        LearnAll(table, 2000, Learned);
        for (int tick = 0; tick < 4; tick++)
        {
            Assert.Equal(0, ager.Tick(Learned + 1, AgeingTime));
        }

        int aged = 0;
        for (int tick = 0; tick < 4; tick++)
        {
            aged += ager.Tick(Learned + AgeingTime, AgeingTime);
        }

        Assert.Equal(2000, aged);
        Assert.Equal(2000, ager.Aged);
    }

    [Fact]
    public void Tick_StaticAndFreshEntries_AreKept()
    {
        var table = new FdbTable(1024);
        Assert.True(table.AddStatic(FdbKey.Make(0x0200_0000_0001UL, 0), 1));
        table.Learn(FdbKey.Make(0x0200_0000_0002UL, 0), 2, Learned + AgeingTime);
        var ager = new FdbAger(table);

        Assert.Equal(0, ager.Tick(Learned + AgeingTime, AgeingTime));

        Assert.Equal(2, table.Count);
    }

    [Fact]
    public void Constructor_NoTicksPerPass_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new FdbAger(new FdbTable(16), ticksPerPass: 0));

    private static void LearnAll(FdbTable table, int count, uint now)
    {
        for (int i = 1; i <= count; i++)
        {
            Assert.Equal(LearnOutcome.Learned, table.Learn(FdbKey.Make(0x0200_0000_0000UL | (uint)i, 0), i % 8, now));
        }
    }
}
