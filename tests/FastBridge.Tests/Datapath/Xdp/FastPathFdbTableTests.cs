// The fast path's FDB table (FastPathMaps.Fdb.cs), in the process's mapping of it: a rewritten key keeps one
// slot, a full group refuses a key and leaves none of it behind, a freed slot takes another key only two
// seconds later; and the program finds a key in its group's last slot.
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Xdp;

namespace FastBridge.Tests.Datapath.Xdp;

public sealed class FastPathFdbTableTests
{
    [Fact]
    public void Write_SameKeyTwice_OneSlotWithTheNewEntry()
    {
        using FastPathMaps maps = FastPathMaps.Create(1024, 64);
        ulong key = FdbKey.Make(0x02AA_0000_0001, 7);

        Assert.True(maps.Write(key, new FastPathEntry { Port = 1, IfIndex = 11 }));
        Assert.True(maps.Write(key, new FastPathEntry { Port = 2, IfIndex = 12 }));

        Assert.Equal([key], maps.Keys());
        Assert.True(maps.TryRead(key, out FastPathEntry read));
        Assert.Equal((2u, 12u), (read.Port, read.IfIndex));
        maps.Delete(key);
        Assert.False(maps.TryRead(key, out _));
        Assert.Empty(maps.Keys());
    }

    [Fact]
    public void Write_FullGroup_RefusedAndNothingOfTheKeyStays()
    {
        using FastPathMaps maps = FastPathMaps.Create(1024, 64);
        ulong[] keys = FillOneGroup(maps);

        Assert.False(maps.Write(keys[^1], new FastPathEntry { Port = 9 }));
        Assert.False(maps.TryRead(keys[^1], out _));
        // A key already in a full group has no slot for its new entry: it leaves, rather than keep its old port.
        Assert.False(maps.Write(keys[0], new FastPathEntry { Port = 5 }));
        Assert.False(maps.TryRead(keys[0], out _));
        Assert.Equal(FastPathMaps.SlotsPerGroup - 1, maps.Keys().Count);
    }

    [Fact]
    public void Delete_FreedSlot_TakesAnotherKeyOnlyTwoSecondsLater()
    {
        using FastPathMaps maps = FastPathMaps.Create(1024, 64);
        ulong[] keys = FillOneGroup(maps);
        maps.Delete(keys[3]);
        uint freed = FdbClock.Now;

        Assert.False(maps.Write(keys[^1], new FastPathEntry { Port = 9 })); // a program may still read the freed entry
        while (FdbClock.Now - freed < 2)
        {
            Thread.Sleep(50);
        }
        Assert.True(maps.Write(keys[^1], new FastPathEntry { Port = 9 }));
        Assert.True(maps.TryRead(keys[^1], out FastPathEntry read));
        Assert.Equal(9u, read.Port);
    }

    /// <summary>Nine keys of one group, the first eight written (port = index): the group is full.</summary>
    private static ulong[] FillOneGroup(FastPathMaps maps)
    {
        ulong[] keys = SameGroup(maps, FastPathMaps.SlotsPerGroup + 1);
        for (int i = 0; i < FastPathMaps.SlotsPerGroup; i++)
        {
            Assert.True(maps.Write(keys[i], new FastPathEntry { Port = (uint)i }));
        }
        return keys;
    }

    /// <summary><paramref name="count"/> keys (VLAN 0) whose group is the same in <paramref name="maps"/>'s table.</summary>
    internal static ulong[] SameGroup(FastPathMaps maps, int count, ulong firstMac = 0x02CC_0000_0000)
    {
        var keys = new List<ulong>();
        uint group = FastPathMaps.GroupOf(FdbKey.Make(firstMac, 0) | FastPathMaps.KeyInUse, maps.FdbGroupBits);
        for (ulong mac = firstMac; keys.Count < count; mac++)
        {
            ulong key = FdbKey.Make(mac, 0);
            if (FastPathMaps.GroupOf(key | FastPathMaps.KeyInUse, maps.FdbGroupBits) == group)
            {
                keys.Add(key);
            }
        }
        return [.. keys];
    }
}
