// VLAN-aware forwarding (vlan_filtering 1), one burst at a time over in-memory ports: ports 0 and 1 are access
// ports of VLAN 10 (PVID, untagged), port 2 an access port of VLAN 20, port 3 a trunk of 10 and 20, tagged.
// Frames reach the forwarder with their tag in the bytes (AF_XDP's shape) or in metadata (AF_PACKET's); what
// leaves is compared byte for byte with what the Linux bridge sends (br_handle_vlan).
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Frames;
using FastBridge.Datapath.Ports;

namespace FastBridge.Tests.Datapath.Forwarding;

public sealed class BatchForwarderVlanTests : IDisposable
{
    private const ulong A = 0x0200_0000_000A, B = 0x0200_0000_000B, Unknown = 0x0200_0000_0099, Broadcast = 0xFFFF_FFFF_FFFF;
    private const ushort Q = VlanTag.CustomerTpid;

    private readonly MemoryPort[] _ports = [new("p0"), new("p1"), new("p2"), new("p3")];
    private readonly FdbTable _fdb = new(1024);
    private readonly LoopCounters _counters = new(4);
    private readonly FrameBatch _batch = new();
    private readonly BatchForwarder _forwarder;

    public BatchForwarderVlanTests()
    {
        VlanMembership vlans = new VlanMembership(4, defaultPvid: 0)
            .WithVlans(0, 10, 10, pvid: true, untagged: true)
            .WithVlans(1, 10, 10, pvid: true, untagged: true)
            .WithVlans(2, 20, 20, pvid: true, untagged: true)
            .WithVlans(3, 10, 10, pvid: false, untagged: false)
            .WithVlans(3, 20, 20, pvid: false, untagged: false);
        _forwarder = new BatchForwarder(_fdb, new PortSet(_ports, new PortStates(4)).WithVlans(vlans), _counters, groupForwardMask: 0);
    }

    public void Dispose()
    {
        foreach (MemoryPort port in _ports)
        {
            port.Dispose();
        }
    }

    [Fact]
    public void Process_UntaggedOnAccessPort_FloodsUntaggedInItsVlanAndTaggedOnTheTrunk()
    {
        byte[] frame = TestFrames.Sized(Broadcast, A, 100);
        Forward(0, frame);
        AssertSent(1, frame);
        AssertSent(3, TestFrames.Tagged(frame, Q, 10));
        AssertNothingElse();
        Assert.Equal(0, _fdb.Lookup(FdbKey.Make(A, 10)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Process_TaggedOnTrunk_LeavesTheAccessPortOfItsVlanUntagged(bool tagInMetadata)
    {
        byte[] untagged = TestFrames.Sized(Unknown, A, 100);
        ForwardTagged(3, untagged, 20, tagInMetadata);
        AssertSent(2, untagged);
        AssertNothingElse();
    }

    [Fact]
    public void Process_SameMacInTwoVlans_LearnedApartAndForwardedWithinEach()
    {
        Forward(0, TestFrames.Sized(Broadcast, A, 60));
        Forward(2, TestFrames.Sized(Broadcast, A, 60));
        DrainAll();
        Assert.Equal(0, _fdb.Lookup(FdbKey.Make(A, 10)));
        Assert.Equal(2, _fdb.Lookup(FdbKey.Make(A, 20)));

        byte[] toA = TestFrames.Sized(A, B, 60);
        Forward(3, TestFrames.Tagged(toA, Q, 20));
        AssertSent(2, toA);
        AssertNothingElse();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Process_TaggedKnownUnicastOnTrunk_GoesToTheOnePortItWasLearnedOn(bool tagInMetadata)
    {
        // VLAN 10 has two access ports, so a lookup that missed would flood to port 1 as well.
        Forward(0, TestFrames.Sized(Broadcast, A, 60));
        Forward(2, TestFrames.Sized(Broadcast, A, 60));
        DrainAll();

        byte[] toA = TestFrames.Sized(A, B, 60);
        ForwardTagged(3, toA, 10, tagInMetadata);
        AssertSent(0, toA);
        AssertNothingElse();
    }

    [Theory]
    [InlineData(3, 30)]  // trunk, VLAN it does not carry
    [InlineData(0, 20)]  // access port of 10, frame tagged 20
    public void Process_TaggedForNonMemberVlan_DroppedAsVlanFiltered(int ingress, int vlan)
    {
        Forward(ingress, TestFrames.Tagged(TestFrames.Sized(Broadcast, A, 60), Q, (ushort)vlan));
        AssertNothingElse();
        Assert.Equal(1UL, _counters.Ports[ingress].Drops[(int)DropReason.VlanFiltered]);
        Assert.Equal(0, _fdb.Count);
    }

    [Fact]
    public void Process_UntaggedOnPortWithoutPvid_DroppedAsVlanFiltered()
    {
        Forward(3, TestFrames.Sized(Broadcast, A, 60));
        AssertNothingElse();
        Assert.Equal(1UL, _counters.Ports[3].Drops[(int)DropReason.VlanFiltered]);
    }

    [Fact]
    public void Process_PriorityTagged_TakesThePvidAndKeepsItsPriorityOnTaggedEgress()
    {
        byte[] untagged = TestFrames.Sized(Broadcast, A, 100);
        Forward(0, TestFrames.Tagged(untagged, Q, 0xA000)); // PCP 5, VID 0
        AssertSent(1, untagged);
        AssertSent(3, TestFrames.Tagged(untagged, Q, 0xA00A));
        AssertNothingElse();
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Process_TaggedFloodToUntaggedAndTaggedPortsOfAnotherVlan_EachGetsItsForm(bool tagInMetadata, bool policy)
    {
        // VLAN 30 is not the ingress trunk's PVID (10), and the ports that send it untagged (0, 2) come before and
        // after one that sends it tagged (1): each must get the frame's own VLAN and priority, whatever was set before.
        VlanMembership vlans = new VlanMembership(4, defaultPvid: 0)
            .WithVlans(0, 30, 30, pvid: true, untagged: true)
            .WithVlans(1, 30, 30, pvid: false, untagged: false)
            .WithVlans(2, 30, 30, pvid: true, untagged: true)
            .WithVlans(3, 10, 10, pvid: true, untagged: false)
            .WithVlans(3, 30, 30, pvid: false, untagged: false);
        PortSet ports = _forwarder.Ports.WithVlans(vlans);
        _forwarder.Ports = policy ? ports.WithPolicy(1, new PortPolicy(PortFlags.Default | PortFlags.Hairpin)) : ports;
        byte[] untagged = TestFrames.Sized(Broadcast, A, 100);
        ForwardTagged(3, untagged, 0xA01E, tagInMetadata); // PCP 5, VID 30
        AssertSent(0, untagged);
        AssertSent(1, TestFrames.Tagged(untagged, Q, 0xA01E));
        AssertSent(2, untagged);
        AssertNothingElse();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Process_UntaggedFloodToUntaggedAndTaggedPorts_TaggedWithThePvidAfterAnUntaggedPort(bool policy)
    {
        VlanMembership vlans = new VlanMembership(4, defaultPvid: 0)
            .WithVlans(0, 10, 10, pvid: true, untagged: true)
            .WithVlans(1, 10, 10, pvid: false, untagged: false)
            .WithVlans(2, 10, 10, pvid: true, untagged: true)
            .WithVlans(3, 10, 10, pvid: false, untagged: false);
        PortSet ports = _forwarder.Ports.WithVlans(vlans);
        _forwarder.Ports = policy ? ports.WithPolicy(1, new PortPolicy(PortFlags.Default | PortFlags.Hairpin)) : ports;
        byte[] frame = TestFrames.Sized(Broadcast, A, 100);
        Forward(2, frame);
        AssertSent(0, frame);
        AssertSent(1, TestFrames.Tagged(frame, Q, 10));
        AssertSent(3, TestFrames.Tagged(frame, Q, 10));
        AssertNothingElse();
    }

    [Fact]
    public void Process_DoubleTagged_ClassifiedByTheOuterTagInnerUntouched()
    {
        byte[] inner = TestFrames.Tagged(TestFrames.Sized(Broadcast, A, 100), Q, 99);
        Forward(3, TestFrames.Tagged(inner, Q, 10));
        AssertSent(0, inner);
        AssertSent(1, inner);
        AssertNothingElse();
    }

    [Theory]
    [InlineData(14)] // the TPID as EtherType, no TCI
    [InlineData(17)] // one byte short of the tag's end
    public void Process_TruncatedTag_DroppedAsRunt(int length)
    {
        Forward(3, TestFrames.Sized(Broadcast, A, length, Q));
        AssertNothingElse();
        Assert.Equal(1UL, _counters.Ports[3].Drops[(int)DropReason.Runt]);
    }

    [Fact]
    public void Process_KnownUnicastToPortOutsideTheVlan_DroppedAsVlanFiltered()
    {
        _fdb.AddStatic(FdbKey.Make(B, 10), 2); // a static entry on a port that is not in VLAN 10
        Forward(0, TestFrames.Sized(B, A, 60));
        AssertNothingElse();
        Assert.Equal(1UL, _counters.Ports[0].Drops[(int)DropReason.VlanFiltered]);
    }

    [Fact]
    public void Process_UntaggedEgress_AllowsNoVlanHeadroom()
    {
        // 1518 bytes untagged fit an in-memory port (MTU + 18) while not VLAN-aware; untagged egress gets MTU + 14 here.
        Forward(0, TestFrames.Sized(Broadcast, A, 1518));
        AssertNothingElse();
        Assert.Equal(1UL, _counters.Ports[1].Drops[(int)DropReason.TooBig]);
        Assert.Equal(1UL, _counters.Ports[3].Drops[(int)DropReason.TooBig]); // 1522 tagged is past it too

        byte[] largest = TestFrames.Sized(Broadcast, A, 1514);
        Forward(0, largest);
        AssertSent(1, largest);
        AssertSent(3, TestFrames.Tagged(largest, Q, 10));
    }

    [Fact]
    public void Process_ServiceTpidBridge_CustomerTaggedFrameIsUntaggedAndGetsAnSTagOutside()
    {
        VlanMembership vlans = new VlanMembership(4, VlanTag.ServiceTpid, defaultPvid: 0)
            .WithVlans(0, 10, 10, pvid: true, untagged: true)
            .WithVlans(3, 10, 10, pvid: false, untagged: false);
        _forwarder.Ports = _forwarder.Ports.WithVlans(vlans);
        byte[] customer = TestFrames.Tagged(TestFrames.Sized(Broadcast, A, 100), Q, 55);
        Forward(0, customer);
        AssertSent(3, TestFrames.Tagged(customer, VlanTag.ServiceTpid, 10));
        AssertNothingElse();
    }

    private void Forward(int ingress, byte[] frame, (ushort Tpid, ushort Tci)? stripped = null)
    {
        _ports[ingress].Inject(frame, stripped?.Tpid ?? 0, stripped?.Tci ?? 0);
        _batch.Clear();
        _ports[ingress].Receive(_batch);
        _forwarder.Process(_batch, ingress, now: 1000);
        _ports[ingress].ReleaseReceived();
    }

    /// <summary>Forwards <paramref name="untagged"/> tagged <paramref name="tci"/>: the tag in metadata (AF_PACKET's shape) or in the bytes (AF_XDP's).</summary>
    private void ForwardTagged(int ingress, byte[] untagged, ushort tci, bool tagInMetadata)
    {
        if (tagInMetadata)
        {
            Forward(ingress, untagged, (Q, tci));
        }
        else
        {
            Forward(ingress, TestFrames.Tagged(untagged, Q, tci));
        }
    }

    private void AssertSent(int port, byte[] expected)
    {
        Assert.True(_ports[port].TryTakeTransmitted(out byte[] sent), $"port {port} sent nothing");
        Assert.Equal(TestFrames.Hex(expected), TestFrames.Hex(sent));
    }

    private void AssertNothingElse()
    {
        for (int port = 0; port < _ports.Length; port++)
        {
            Assert.False(_ports[port].TryTakeTransmitted(out _), $"port {port} sent a frame it should not have");
        }
    }

    private void DrainAll()
    {
        foreach (MemoryPort port in _ports)
        {
            while (port.TryTakeTransmitted(out _))
            {
            }
        }
    }
}
