using FastBridge.Datapath.Forwarding;

namespace FastBridge.Tests.Datapath.Forwarding;

public sealed class PuntDestinationsTests
{
    [Fact]
    public void Contains_LinkLocalAndOtherGroups_OnlyThoseGiven()
    {
        PuntDestinations punts = PuntDestinations.Of([TestFrames.StpGroup, TestFrames.LldpGroup, 0x0100_5E00_0016UL]);
        Assert.True(punts.Contains(TestFrames.StpGroup));
        Assert.True(punts.Contains(TestFrames.LldpGroup));
        Assert.True(punts.Contains(0x0100_5E00_0016UL));
        Assert.False(punts.Contains(TestFrames.SlowProtocolsGroup));
        Assert.False(punts.Contains(0x0100_5E00_0001UL));
        Assert.False(punts.Contains(0xFFFF_FFFF_FFFFUL));
        Assert.False(punts.IsEmpty);
    }

    [Fact]
    public void None_ContainsNothing()
    {
        Assert.True(PuntDestinations.None.IsEmpty);
        Assert.False(PuntDestinations.None.Contains(TestFrames.StpGroup));
        Assert.True(PuntDestinations.Of([]).IsEmpty);
    }

    [Fact]
    public void Of_IndividualAddress_Throws()
    {
        Assert.Contains("not a group address", Assert.Throws<ArgumentException>(() => PuntDestinations.Of([0x0200_0000_0001UL])).Message);
    }
}
