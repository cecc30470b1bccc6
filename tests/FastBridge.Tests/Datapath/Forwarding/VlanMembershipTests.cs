// Per-port VLAN membership as `bridge vlan` keeps it, and the flood lists precomputed from it.
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Frames;

namespace FastBridge.Tests.Datapath.Forwarding;

public sealed class VlanMembershipTests
{
    [Fact]
    public void WithNewPort_Default_PvidOneUntagged()
    {
        VlanMembership vlans = new VlanMembership(8).WithNewPort(3);
        Assert.Equal(1, vlans.Pvid(3));
        Assert.True(vlans.IsMember(3, 1));
        Assert.True(vlans.IsUntagged(3, 1));
        Assert.Equal([3], vlans.FloodList(1).ToArray());
    }

    [Fact]
    public void WithNewPort_DefaultPvidNone_NoVlans()
    {
        VlanMembership vlans = new VlanMembership(8, defaultPvid: 0).WithNewPort(3);
        Assert.Equal(0, vlans.Pvid(3));
        Assert.Empty(vlans.VlansOf(3));
    }

    [Fact]
    public void WithVlans_Range_FloodListsOfEachVlanHoldTheMembersAscending()
    {
        VlanMembership vlans = new VlanMembership(8)
            .WithVlans(5, 10, 12, pvid: false, untagged: false)
            .WithVlans(2, 11, 11, pvid: true, untagged: true);
        Assert.Equal([5], vlans.FloodList(10).ToArray());
        Assert.Equal([2, 5], vlans.FloodList(11).ToArray());
        Assert.Equal([2], vlans.FloodList(11, VlanEgress.Untagged).ToArray());
        Assert.Equal([5], vlans.FloodList(11, VlanEgress.Tagged).ToArray());
        Assert.True(vlans.FloodList(10, VlanEgress.Untagged).IsEmpty);
        Assert.Equal([10, 11, 12], vlans.VlansOf(5).Select(v => (int)v).ToArray());
        Assert.False(vlans.IsUntagged(5, 11));
        Assert.True(vlans.IsUntagged(2, 11));
        Assert.Equal(11, vlans.Pvid(2));
        Assert.Equal(0, vlans.Pvid(5));
    }

    [Fact]
    public void WithVlans_AgainWithTheOtherFlag_MovesThePortToTheOtherFloodList()
    {
        VlanMembership untagged = new VlanMembership(8, defaultPvid: 0).WithVlans(4, 30, 30, pvid: false, untagged: true);
        VlanMembership tagged = untagged.WithVlans(4, 30, 30, pvid: false, untagged: false);
        Assert.Equal([4], untagged.FloodList(30, VlanEgress.Untagged).ToArray());
        Assert.True(tagged.FloodList(30, VlanEgress.Untagged).IsEmpty);
        Assert.Equal([4], tagged.FloodList(30, VlanEgress.Tagged).ToArray());
    }

    [Fact]
    public void WithoutVlans_ThePvid_LeavesThePortWithoutOne()
    {
        VlanMembership before = new VlanMembership(8).WithVlans(1, 20, 20, pvid: true, untagged: true);
        VlanMembership after = before.WithoutVlans(1, 20, 20);
        Assert.Equal(0, after.Pvid(1));
        Assert.False(after.IsMember(1, 20));
        Assert.True(after.FloodList(20).IsEmpty);
        Assert.True(after.FloodList(20, VlanEgress.Tagged).IsEmpty);
        Assert.True(after.FloodList(20, VlanEgress.Untagged).IsEmpty);
        Assert.True(before.IsMember(1, 20)); // immutable: loops holding the old one see no change
    }

    [Fact]
    public void WithoutPort_LeavesEveryFloodList()
    {
        VlanMembership vlans = new VlanMembership(8).WithNewPort(0).WithNewPort(1).WithVlans(1, 7, 9, pvid: false, untagged: false);
        vlans = vlans.WithoutPort(1);
        Assert.Equal([0], vlans.FloodList(1).ToArray());
        Assert.True(vlans.FloodList(8).IsEmpty);
    }

    [Fact]
    public void EgressOf_EachPortByItsMembershipAndUntaggedFlag_FollowsChanges()
    {
        VlanMembership vlans = new VlanMembership(4, defaultPvid: 0)
            .WithVlans(0, 10, 11, pvid: false, untagged: true)
            .WithVlans(2, 10, 10, pvid: false, untagged: false);
        Assert.Equal([VlanEgress.Untagged, VlanEgress.NotMember, VlanEgress.Tagged, VlanEgress.NotMember], vlans.EgressOf(10).ToArray());
        Assert.Equal([VlanEgress.Untagged, VlanEgress.NotMember, VlanEgress.NotMember, VlanEgress.NotMember], vlans.EgressOf(11).ToArray());

        vlans = vlans.WithVlans(0, 10, 10, pvid: false, untagged: false).WithoutVlans(0, 11, 11);
        Assert.Equal([VlanEgress.Tagged, VlanEgress.NotMember, VlanEgress.Tagged, VlanEgress.NotMember], vlans.EgressOf(10).ToArray());
        Assert.All(vlans.EgressOf(11).ToArray(), egress => Assert.Equal(VlanEgress.NotMember, egress));
        Assert.All(vlans.EgressOf(0).ToArray().Concat(vlans.EgressOf(4095).ToArray()), egress => Assert.Equal(VlanEgress.NotMember, egress));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(4095, 4095)]
    [InlineData(1, 4095)]
    [InlineData(20, 10)]
    public void WithVlans_InvalidRange_ThrowsNamingTheValue(int first, int last)
    {
        var vlans = new VlanMembership(8);
        var error = Assert.Throws<ArgumentException>(() => vlans.WithVlans(0, (ushort)first, (ushort)last, pvid: false, untagged: false));
        Assert.Contains(first is 0 or 4095 ? $"{first}" : last == 4095 ? "4095" : $"{first}-{last}", error.Message);
    }

    [Fact]
    public void WithVlans_PvidOnARange_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => new VlanMembership(8).WithVlans(0, 10, 20, pvid: true, untagged: false));
        Assert.Contains("10-20", error.Message);
    }

    [Fact]
    public void SamePort_OnlyTheTouchedPortDiffers_AndABackAndForthIsTheSame()
    {
        VlanMembership before = new VlanMembership(8).WithNewPort(1).WithNewPort(2);
        VlanMembership after = before.WithVlans(2, 10, 10, pvid: false, untagged: false);
        VlanMembership back = after.WithoutVlans(2, 10, 10);

        Assert.True(after.SamePort(before, 1));
        Assert.False(after.SamePort(before, 2));
        Assert.True(back.SamePort(before, 2));
        Assert.False(before.WithVlans(2, 1, 1, pvid: false, untagged: true).SamePort(before, 2)); // the PVID went
        Assert.False(before.WithVlans(2, 1, 1, pvid: true, untagged: false).SamePort(before, 2)); // now tagged
        Assert.True(before.WithoutPort(5).SamePort(before, 5));
    }

    [Fact]
    public void Constructor_UnknownTpid_Throws()
    {
        Assert.Throws<ArgumentException>(() => new VlanMembership(8, tpid: 0x0800));
        Assert.Equal(VlanTag.ServiceTpid, new VlanMembership(8, VlanTag.ServiceTpid).Tpid);
    }
}
