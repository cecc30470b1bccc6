// The XDP fast path on a VLAN-aware switch host (--vlan-filtering), over veth pairs whose peers (in one
// namespace) have GRO on and receive frames with their tags: known unicast that leaves as it came in
// (tagged trunk to tagged trunk, untagged access to untagged access) crosses in the kernel, byte-identical; what needs a push
// or a pop crosses through the poll loop; a VLAN the ingress port is not a member of is never redirected
// (the poll loop drops it as vlan_filtered); one MAC in two VLANs is reached per VLAN; and a membership
// deleted stops the kernel's redirects at once. The VLAN map follows every membership change.
using FastBridge.ControlPlane.Lab;
using FastBridge.ControlPlane.Switch;
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Frames;
using FastBridge.Datapath.Ports;
using FastBridge.Datapath.Xdp;
using FastBridge.Testing.Frames;
using FastBridge.Testing.Lab;
using FastBridge.Testing.Traffic;

namespace FastBridge.Tests.ControlPlane.Switch;

public sealed partial class SwitchHostFastPathTests
{
    private const ushort Q = VlanTag.CustomerTpid;
    private const int Frames = 50;

    /// <summary>A MAC behind two ports, one per VLAN.</summary>
    private const ulong SharedMac = 0x02C1_5A5E_0000UL;

    [Fact]
    public void TrunkToTrunk_TaggedKnownUnicast_CrossesInKernelWithItsTag()
    {
        using SwitchHost host = StartTwoTrunks(10);
        FastPathCounters before0 = host.Datapath.FastPathCounts(0), before1 = host.Datapath.FastPathCounts(1);

        byte[][] sent = Send(0, i => TestFrames.Tagged(TestFrames.Numbered(i, 64, Station(1), Station(0)), Q, 0x600A));

        Assert.Equal(sent, Receive(1, Frames));
        Assert.Equal((ulong)Frames, host.Datapath.FastPathCounts(0).RxPackets - before0.RxPackets);
        Assert.Equal((ulong)Frames, host.Datapath.FastPathCounts(1).TxPackets - before1.TxPackets);
        Assert.Contains("on (peer", host.FastPathOf(_ports[1]));
    }

    [Fact]
    public void AccessToAccess_UntaggedKnownUnicast_CrossesInKernel()
    {
        using SwitchHost host = StartVlanAware(2);
        Access(host, 0, 10);
        Access(host, 1, 10);
        Learn(host, (0, Station(0), 10, false), (1, Station(1), 10, false));
        ulong before = host.Datapath.FastPathCounts(1).TxPackets;

        byte[][] sent = Send(0, i => TestFrames.Numbered(i, 64, Station(1), Station(0)));

        Assert.Equal(sent, Receive(1, Frames));
        Assert.Equal((ulong)Frames, host.Datapath.FastPathCounts(1).TxPackets - before);
    }

    [Fact]
    public void AccessToTrunkAndBack_TagPushedAndPopped_ThroughThePollLoop()
    {
        using SwitchHost host = StartVlanAware(2);
        Access(host, 0, 10);
        Trunk(host, 1, 10);
        Learn(host, (0, Station(0), 10, false), (1, Station(1), 10, true));
        ulong before0 = host.Datapath.FastPathCounts(0).TxPackets, before1 = host.Datapath.FastPathCounts(1).TxPackets;

        byte[][] pushed = Send(0, i => TestFrames.Numbered(i, 64, Station(1), Station(0)));
        Assert.Equal(pushed.Select(f => TestFrames.Tagged(f, Q, 10)), Receive(1, Frames));
        byte[][] popped = Send(1, i => TestFrames.Tagged(TestFrames.Numbered(i, 64, Station(0), Station(1)), Q, 10));
        Assert.Equal(popped.Select(Untagged), Receive(0, Frames));

        Assert.Equal(before1, host.Datapath.FastPathCounts(1).TxPackets);
        Assert.Equal(before0, host.Datapath.FastPathCounts(0).TxPackets);
    }

    [Fact]
    public void IngressMembershipDeleted_TaggedFrameNeverRedirected_DroppedAsVlanFiltered()
    {
        using SwitchHost host = StartTwoTrunks(20);
        ulong before = host.Datapath.FastPathCounts(1).TxPackets;

        // Without a sync: the map still holds the source's entry in VLAN 20 on port 0, the VLAN map no longer does.
        host.Datapath.DeleteVlans(_ports[0], 20, 20);
        Send(0, i => TestFrames.Tagged(TestFrames.Numbered(i, 64, Station(1), Station(0)), Q, 20));

        Assert.True(NoneArrives(1));
        Assert.Equal(before, host.Datapath.FastPathCounts(1).TxPackets);
        Assert.True(WaitFor(() => VlanFiltered(host, 0) >= Frames), $"vlan_filtered on port 0: {VlanFiltered(host, 0)}");
    }

    [Fact]
    public void SameMacInTwoVlans_OnDifferentPorts_EachVlanReachesItsOwnInKernel()
    {
        using SwitchHost host = StartVlanAware(3);
        Trunk(host, 0, 10);
        Trunk(host, 0, 20);
        Trunk(host, 1, 10);
        Trunk(host, 2, 20);
        Learn(host, (0, Station(0), 10, true), (0, Station(0), 20, true), (1, SharedMac, 10, true), (2, SharedMac, 20, true));
        ulong before1 = host.Datapath.FastPathCounts(1).TxPackets, before2 = host.Datapath.FastPathCounts(2).TxPackets;

        byte[][] to10 = Send(0, i => TestFrames.Tagged(TestFrames.Numbered(i, 64, SharedMac, Station(0)), Q, 10));
        byte[][] to20 = Send(0, i => TestFrames.Tagged(TestFrames.Numbered(Frames + i, 64, SharedMac, Station(0)), Q, 20));

        Assert.Equal(to10, Receive(1, Frames));
        Assert.Equal(to20, Receive(2, Frames));
        Assert.Equal((ulong)Frames, host.Datapath.FastPathCounts(1).TxPackets - before1);
        Assert.Equal((ulong)Frames, host.Datapath.FastPathCounts(2).TxPackets - before2);
        Assert.True(NoneArrives(1));
        AssertMapMatchesFdb(host);
    }

    [Fact]
    public void EgressMembershipDeleted_StopsKernelRedirectsAtOnce()
    {
        using SwitchHost host = StartTwoTrunks(10);
        Send(0, i => TestFrames.Tagged(TestFrames.Numbered(i, 64, Station(1), Station(0)), Q, 10));
        Assert.Equal(Frames, Receive(1, Frames).Count);
        ulong before = host.Datapath.FastPathCounts(1).TxPackets;

        host.Datapath.DeleteVlans(_ports[1], 10, 10);
        Send(0, i => TestFrames.Tagged(TestFrames.Numbered(Frames + i, 64, Station(1), Station(0)), Q, 10));

        Assert.True(NoneArrives(1));
        Assert.Equal(before, host.Datapath.FastPathCounts(1).TxPackets);
        host.Datapath.SyncFastPath();
        AssertMapMatchesFdb(host);
    }

    [Fact]
    public void VlanMap_AfterPortAddVlanAddDelAndPortRemove_EqualsTheMembership()
    {
        using SwitchHost host = StartVlanAware(1);
        AssertVlanMapMatches(host);

        (string added, _) = _lab.AddVeth("p1");
        host.AddPort(added);
        AssertVlanMapMatches(host);
        Assert.Equal(VlanMembership.DefaultPvid, ReadVlans(host, added).Pvid);

        host.Datapath.AddVlans(added, 10, 20, pvid: false, untagged: false);
        host.Datapath.AddVlans(added, 30, 30, pvid: true, untagged: true);
        AssertVlanMapMatches(host);
        host.Datapath.DeleteVlans(added, 15, 30);
        AssertVlanMapMatches(host);
        Assert.Equal(0U, ReadVlans(host, added).Pvid);

        int ifIndex = NetInterface.Inspect(added).IfIndex;
        host.RemovePort(added);
        Assert.False(host.Datapath.FastPathMaps!.TryReadVlans(ifIndex, out _));
        AssertVlanMapMatches(host);
    }

    private SwitchHost StartVlanAware(int ports) => Start(ports, groOn: [.. Enumerable.Repeat(true, ports)], vlanFiltering: true);

    /// <summary>Ports 0 and 1 trunks of <paramref name="vlan"/>, Station(0) and Station(1) learned there and in the map.</summary>
    private SwitchHost StartTwoTrunks(ushort vlan)
    {
        SwitchHost host = StartVlanAware(2);
        Trunk(host, 0, vlan);
        Trunk(host, 1, vlan);
        Learn(host, (0, Station(0), vlan, true), (1, Station(1), vlan, true));
        return host;
    }

    /// <summary>Port <paramref name="port"/> sends <paramref name="vlan"/> tagged (and keeps the default PVID 1).</summary>
    private void Trunk(SwitchHost host, int port, ushort vlan) => host.Datapath.AddVlans(_ports[port], vlan, vlan, pvid: false, untagged: false);

    /// <summary>Port <paramref name="port"/> is an access port of <paramref name="vlan"/> only: its PVID, untagged.</summary>
    private void Access(SwitchHost host, int port, ushort vlan)
    {
        host.Datapath.AddVlans(_ports[port], vlan, vlan, pvid: true, untagged: true);
        host.Datapath.DeleteVlans(_ports[port], VlanMembership.DefaultPvid, VlanMembership.DefaultPvid);
    }

    /// <summary>Each station sends a broadcast in its VLAN (learned by the poll loop, flooded to the VLAN's other ports), then the map is written.</summary>
    private void Learn(SwitchHost host, params (int Port, ulong Mac, ushort Vlan, bool Tagged)[] stations)
    {
        int sequence = 1000;
        foreach ((int port, ulong mac, ushort vlan, bool tagged) in stations)
        {
            byte[] frame = TestFrames.Numbered(sequence++, 64, 0xFFFF_FFFF_FFFF, mac);
            _peers[port].Send(tagged ? TestFrames.Tagged(frame, Q, vlan) : frame);
            VlanMembership vlans = host.Datapath.Vlans!;
            for (int other = 0; other < _peers.Count; other++)
            {
                if (other != port && vlans.IsMember(other, vlan))
                {
                    Assert.Single(Receive(other, 1));
                }
            }
        }
        host.Datapath.SyncFastPath();
        AssertMapMatchesFdb(host);
        WaitNothingInUserSpace(host);
    }

    private byte[][] Send(int port, Func<int, byte[]> frame)
    {
        byte[][] frames = [.. Enumerable.Range(0, Frames).Select(frame)];
        foreach (byte[] f in frames)
        {
            _peers[port].Send(f);
        }
        return frames;
    }

    private static byte[] Untagged(byte[] tagged) => [.. tagged.AsSpan(0, 12), .. tagged.AsSpan(16)];

    private static ulong VlanFiltered(SwitchHost host, int port) => host.Datapath.ReadStats().Ports[port].Counters.Drops[(int)DropReason.VlanFiltered];

    private static bool WaitFor(Func<bool> condition)
    {
        for (DateTime until = DateTime.UtcNow.AddSeconds(2); !condition(); Thread.Sleep(20))
        {
            if (DateTime.UtcNow > until)
            {
                return false;
            }
        }
        return true;
    }

    private static FastPathVlans ReadVlans(SwitchHost host, string port)
    {
        Assert.True(host.Datapath.FastPathMaps!.TryReadVlans(NetInterface.Inspect(port).IfIndex, out FastPathVlans rules));
        return rules;
    }

    /// <summary>The VLAN map holds every present port's PVID and rule bytes as the membership has them.</summary>
    private static void AssertVlanMapMatches(SwitchHost host)
    {
        VlanMembership vlans = host.Datapath.Vlans!;
        foreach ((int id, string name) in host.Datapath.PresentPorts())
        {
            FastPathVlans rules = ReadVlans(host, name);
            Assert.Equal(vlans.Pvid(id), rules.Pvid);
            for (int vlan = 0; vlan < 4096; vlan++)
            {
                byte expected = (byte)((vlans.IsMember(id, (ushort)vlan) ? FastPathVlanRules.Member : 0)
                    | (vlans.IsUntagged(id, (ushort)vlan) ? FastPathVlanRules.Untagged : 0));
                Assert.Equal(expected, rules.Rules[vlan]);
            }
        }
    }
}
