// Port mirroring (MirrorTable) over in-memory ports: port 3 (two TX slots) is the destination.
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Forwarding;

namespace FastBridge.Tests.Datapath.Forwarding;

public sealed partial class BatchForwarderTests
{
    [Fact]
    public void Process_RxMirror_DestinationGetsTheFrameAsReceivedAndNoFlood()
    {
        SetMirror(MirrorDirection.Rx, 0);
        byte[] frame = Frame(Unknown, A);
        Forward(0, frame);
        AssertReceivedBy(frame, 1, 2, 3);
        Assert.Equal(1UL, _counters.Ports[3].MirrorSent);

        Forward(1, Frame(Unknown, B)); // sent out of port 0, not received there
        _ports[3].TryTakeTransmitted(out _);
        Assert.False(_ports[3].TryTakeTransmitted(out _));
    }

    [Fact]
    public void Process_TxMirror_DestinationGetsWhatTheSourceSendsOnly()
    {
        SetMirror(MirrorDirection.Tx, 0);
        Forward(0, Frame(Broadcast, A));
        DrainAll();
        Assert.Equal(0UL, _counters.Ports[3].MirrorSent);

        byte[] toA = Frame(A, B);
        Forward(1, toA);
        AssertReceivedBy(toA, 0, 3);
        byte[] elsewhere = Frame(B, C);
        Forward(2, elsewhere);
        AssertReceivedBy(elsewhere, 1);
    }

    [Fact]
    public void Process_BothDirections_EachFrameCrossingTheSourceCopiedOnce()
    {
        SetMirror(MirrorDirection.Both, 0);
        byte[] fromA = Frame(Broadcast, A);
        Forward(0, fromA);
        AssertReceivedBy(fromA, 1, 2, 3);
        byte[] toA = Frame(A, C);
        Forward(2, toA);
        AssertReceivedBy(toA, 0, 3);
        Assert.Equal(2UL, _counters.Ports[3].MirrorSent);
    }

    [Fact]
    public void Process_FrameReceivedOnDestination_DroppedCountedNotLearned()
    {
        SetMirror(MirrorDirection.Both, 0);
        Forward(3, Frame(Broadcast, C));
        AssertReceivedBy(null);
        Assert.Equal(1UL, _counters.Ports[3].Drops[(int)DropReason.MirrorPort]);
        Assert.Equal(1UL, _counters.Ports[3].RxPackets);
        Assert.Equal(FdbTable.Miss, _fdb.Lookup(FdbKey.Make(TestFrames.Mac(C), 0)));
    }

    [Fact]
    public void Process_DestinationLearnedBeforeTheMirror_IsNoUnicastEgress()
    {
        Forward(3, Frame(Broadcast, C));
        DrainAll();
        SetMirror(MirrorDirection.Rx, 1);
        byte[] toC = Frame(C, A);
        Forward(0, toC);
        AssertReceivedBy(toC, 1, 2); // flooded as to a port that is down, never to the destination
    }

    [Fact]
    public void Process_DestinationRingFull_CopiesDroppedAndCountedForwardingUnharmed()
    {
        SetMirror(MirrorDirection.Rx, 0);
        for (int i = 0; i < 5; i++)
        {
            _ports[0].Inject(Frame(Unknown, A));
        }
        Run(0);
        Assert.Equal(5, _ports[1].Transmitted);
        Assert.Equal(5, _ports[2].Transmitted);
        Assert.Equal(2, _ports[3].Transmitted);
        Assert.Equal(2UL, _counters.Ports[3].MirrorSent);
        Assert.Equal(3UL, _counters.Ports[3].MirrorDropped);
    }

    [Fact]
    public void WithMirrors_None_IsNullAndEveryPortForwards()
    {
        PortSet set = new PortSet(_ports, _states).WithMirrors(MirrorTable.Of([], _ports.Length));
        Assert.Null(set.Mirrors);
        Assert.True(set.IsUp(3));
        Assert.False(set.WithMirrors(MirrorTable.Of([new Mirror("m", [0], MirrorDirection.Rx, 3)], _ports.Length)).IsUp(3));
    }

    private void SetMirror(MirrorDirection direction, int source) =>
        _forwarder.Ports = _forwarder.Ports.WithMirrors(MirrorTable.Of([new Mirror("m", [source], direction, 3)], _ports.Length));
}
