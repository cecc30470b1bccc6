using FastBridge.Datapath.Fdb;

namespace FastBridge.Tests.Datapath.Fdb;

public sealed class FdbKeyTests
{
    [Fact]
    public void Make_MacAndVlan_RoundTrips()
    {
        ulong key = FdbKey.Make(0x0200_5E10_2030UL, 4094);

        Assert.Equal(0x0200_5E10_2030UL, FdbKey.Mac(key));
        Assert.Equal((ushort)4094, FdbKey.VlanId(key));
        Assert.Equal(0x0FFE_0200_5E10_2030UL, key);
    }

    [Fact]
    public void Make_BitsOutsideFields_AreDropped()
    {
        ulong key = FdbKey.Make(0xFFFF_0200_5E10_2030UL, 0xF00A);

        Assert.Equal(0x0200_5E10_2030UL, FdbKey.Mac(key));
        Assert.Equal((ushort)0x00A, FdbKey.VlanId(key));
        Assert.Equal(0UL, key >> 60);
    }

    [Fact]
    public void Make_VlanZero_IsTheBareMac()
    {
        Assert.Equal(0x0200_0000_0001UL, FdbKey.Make(0x0200_0000_0001UL, 0));
    }
}
