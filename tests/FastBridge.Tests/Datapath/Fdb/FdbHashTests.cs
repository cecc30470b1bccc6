using System.Runtime.CompilerServices;
using FastBridge.Datapath.Fdb;

namespace FastBridge.Tests.Datapath.Fdb;

public sealed class FdbHashTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(37)]
    [InlineData(64)]
    public void HashVector_AnyLength_EqualsScalar(int length)
    {
        var random = new Random(length);
        ulong[] keys = new ulong[length];
        for (int i = 0; i < length; i++)
        {
            keys[i] = FdbKey.Make((ulong)random.NextInt64(), (ushort)random.Next(4096));
        }
        keys[0] = ulong.MaxValue; // every bit set, to catch a lane-wise shift or multiply that differs
        ulong[] scalar = new ulong[length];
        ulong[] vector256 = new ulong[length];
        ulong[] vector128 = new ulong[length];
        ulong[] batch = new ulong[length];

        FdbHash.HashScalar(keys, scalar);
        FdbHash.HashVector256(keys, vector256);
        FdbHash.HashVector128(keys, vector128);
        FdbHash.HashBatch(keys, batch);

        Assert.Equal(scalar, vector256);
        Assert.Equal(scalar, vector128);
        Assert.Equal(scalar, batch);
        Assert.Equal(FdbHash.Hash(keys[length - 1]), scalar[length - 1]);
    }

    [Fact]
    public void Hash_SequentialMacs_SpreadOverGroupsAndTags()
    {
        // NICs from one vendor differ in the low bits only; they must still spread over groups and tags.
        const int GroupMask = 63;
        int[] perGroup = new int[GroupMask + 1];
        var tags = new HashSet<byte>();
        for (ulong i = 0; i < 1024; i++)
        {
            ulong hash = FdbHash.Hash(FdbKey.Make(0x0000_5E00_0000UL + i, 0));
            perGroup[(int)FdbHash.Group(hash, GroupMask)]++;
            tags.Add(FdbHash.Tag(hash));
        }

        Assert.All(perGroup, n => Assert.InRange(n, 4, 32)); // mean 16
        Assert.True(tags.Count > 120, $"only {tags.Count} of 128 tags used");
        Assert.All(tags, t => Assert.True(t < 0x80));
    }

    [Fact]
    public void FdbValue_Layout_IsOneEightByteWord()
    {
        Assert.Equal(8, Unsafe.SizeOf<FdbValue>());
    }

    [Fact]
    public void FdbValue_Fields_RoundTripAndStayDistinctFromMarkers()
    {
        FdbValue dynamic = FdbValue.Dynamic(4095, uint.MaxValue, ushort.MaxValue);
        FdbValue stat = FdbValue.Static(0, 1);

        Assert.Equal(4095, dynamic.Port);
        Assert.Equal(uint.MaxValue, dynamic.LastSeen);
        Assert.False(dynamic.IsStatic);
        Assert.True(dynamic.IsPresent);
        Assert.True(stat.IsStatic);
        Assert.True(stat.IsPresent);
        Assert.Equal(0, stat.Port);
        Assert.Equal(ushort.MaxValue, dynamic.Generation);
        Assert.Equal(1, stat.Generation);
        Assert.Equal(FdbPortGenerations.Owner(4095, isStatic: false), dynamic.Owner);
        Assert.Equal(FdbPortGenerations.Owner(0, isStatic: true), stat.Owner);
        Assert.InRange(FdbPortGenerations.Owner(4095, isStatic: true), 0, FdbPortGenerations.Owners - 1);
        Assert.False(dynamic.IsDead || stat.IsDead);
        Assert.False(FdbValue.Dynamic(0, 0, 0).IsUnwritten); // port 0 at time 0 is still a present value
        Assert.False(FdbValue.Dead.IsPresent);
        Assert.False(default(FdbValue).IsPresent);
    }
}
