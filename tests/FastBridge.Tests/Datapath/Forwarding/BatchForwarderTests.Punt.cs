// Frames punted to the control plane by destination, and frames it injects, over the same in-memory
// ports as the forwarding rules (p2 has MTU 1000, p3 two TX slots).
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Forwarding;

namespace FastBridge.Tests.Datapath.Forwarding;

public sealed partial class BatchForwarderTests
{
    private readonly ControlFrameQueues _control = new(capacity: 4);

    [Fact]
    public void Process_QueuesButNoPuntDestinations_BpduFloodsAsWithoutQueues()
    {
        UseControlFrames();
        byte[] bpdu = TestFrames.StpBpdu(TestFrames.Mac(A), TestFrames.Marker("no-punt"));
        Forward(0, bpdu);
        AssertReceivedBy(bpdu, 1, 2, 3);
        Assert.Equal(0, _control.Punted.Count);
        Assert.Equal(default, _counters.Punts);
    }

    [Fact]
    public void Process_BpduToPuntedDestination_PuntedByteIdenticalWithItsPort_NotForwarded_SourceLearned()
    {
        UseControlFrames(TestFrames.StpGroup);
        byte[] bpdu = TestFrames.StpBpdu(TestFrames.Mac(A), TestFrames.Marker("punt"));
        Forward(1, bpdu);

        AssertReceivedBy(null);
        AssertPunted(bpdu, 1);
        Assert.Equal(1UL, _counters.Punts.Punted);
        Assert.Equal((1UL, 0UL), (_counters.Ports[1].RxPackets, _counters.Ports[1].Floods));
        Assert.Equal(1, _fdb.Lookup(FdbKey.Make(TestFrames.Mac(A), 0)));
    }

    [Fact]
    public void Process_LldpOpenedByMaskAndPunted_PuntedOnly_OtherGroupsAsBefore()
    {
        UseControlFrames(TestFrames.StpGroup, TestFrames.LldpGroup);
        byte[] lldp = TestFrames.Lldp(TestFrames.Mac(A), TestFrames.Marker("lldp"));
        byte[] broadcast = Frame(Broadcast, A);
        Forward(0, lldp);
        Forward(0, TestFrames.Lacp(TestFrames.Mac(A), TestFrames.Marker("lacp")));
        Forward(0, broadcast);

        AssertReceivedBy(broadcast, 1, 2, 3);
        AssertPunted(lldp, 0);
        Assert.Equal(0, _control.Punted.Count);
        Assert.Equal(1UL, _counters.Ports[0].Drops[(int)DropReason.LinkLocal]);
    }

    [Fact]
    public void Process_PuntQueueFull_DropsAndCountsTheRest()
    {
        UseControlFrames(TestFrames.StpGroup);
        for (int i = 0; i < 6; i++)
        {
            _ports[0].Inject(TestFrames.StpBpdu(TestFrames.Mac(A), TestFrames.Marker($"full{i}")));
        }
        Run(0);

        AssertReceivedBy(null);
        Assert.Equal(4, _control.Punted.Count);
        Assert.Equal((4UL, 2UL), (_counters.Punts.Punted, _counters.Punts.PuntDropped));
    }

    [Fact]
    public void TransmitInjected_FrameForAPort_LeavesThereByteIdentical_CountedAsTxAndInjected()
    {
        UseControlFrames();
        byte[] frame = TestFrames.Experimental(TestFrames.Mac(B), TestFrames.Mac(A), TestFrames.Marker("inject"), 100);
        Assert.True(_control.Injected.TryWrite(1, frame));

        Assert.Equal(1, _forwarder.TransmitInjected());

        AssertReceivedBy(frame, 1);
        Assert.Equal((1UL, 100UL), (_counters.Ports[1].TxPackets, _counters.Ports[1].TxBytes));
        Assert.Equal((1UL, 0UL), (_counters.Punts.Injected, _counters.Punts.InjectDropped));
        Assert.Equal(0, _control.Injected.Count);
        Assert.Equal(0, _forwarder.TransmitInjected());
    }

    [Fact]
    public void TransmitInjected_AfterAVlanAwareBurstOfRuntsOnly_LeavesByteIdentical()
    {
        UseControlFrames();
        _forwarder.Ports = _forwarder.Ports.WithVlans(new VlanMembership(4).WithNewPort(0).WithNewPort(1).WithNewPort(2).WithNewPort(3));
        Forward(0, new byte[10]); // the burst ends before anything is classified
        byte[] frame = TestFrames.Experimental(TestFrames.Mac(B), TestFrames.Mac(A), TestFrames.Marker("inject"), 100);
        Assert.True(_control.Injected.TryWrite(1, frame));

        Assert.Equal(1, _forwarder.TransmitInjected());

        AssertReceivedBy(frame, 1); // sent as the control plane wrote it: no VLAN tag from the burst before
    }

    [Fact]
    public void TransmitInjected_PortDownTooBigOrTxFull_DroppedAndCounted()
    {
        UseControlFrames();
        _states.MarkDown(0, errno: 19);
        byte[] small = TestFrames.Experimental(TestFrames.Mac(B), TestFrames.Mac(A), TestFrames.Marker("small"), 100);
        _control.Injected.TryWrite(0, small);                                                   // port down
        _control.Injected.TryWrite(2, Frame(B, A, length: 1000 + 18 + 1));                       // past p2's MTU
        _control.Injected.TryWrite(3, small);
        _control.Injected.TryWrite(3, small);                                                   // fills p3's two TX slots

        Assert.Equal(4, _forwarder.TransmitInjected());
        Assert.True(_control.Injected.TryWrite(3, small));                                      // no TX room left
        Assert.Equal(1, _forwarder.TransmitInjected());

        Assert.Equal((2UL, 3UL), (_counters.Punts.Injected, _counters.Punts.InjectDropped));
        Assert.Equal(1UL, _counters.Ports[2].Drops[(int)DropReason.TooBig]);
        Assert.Equal(1UL, _counters.Ports[3].Drops[(int)DropReason.NoTxRoom]);
        Assert.Equal(2, _ports[3].Transmitted);
    }

    private void UseControlFrames(params ulong[] punted)
    {
        _control.Destinations = PuntDestinations.Of(punted);
        _forwarder = new BatchForwarder(_fdb, new PortSet(_ports, _states), _counters, groupForwardMask: 1 << 0xE, control: _control);
    }

    private void AssertPunted(byte[] frame, int ingress)
    {
        var buffer = new byte[FrameRing.DefaultSlotLength];
        int length = _control.Punted.TryRead(buffer, out int port);
        Assert.True(length >= 0, "nothing punted");
        Assert.Equal(frame, buffer[..length]);
        Assert.Equal(ingress, port);
    }
}
