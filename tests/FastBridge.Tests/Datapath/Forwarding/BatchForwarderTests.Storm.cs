// Storm control (PortPolicy rates per flood class) over the same in-memory ports as the forwarding
// rules: flooded frames past the ingress port's rate in one second are dropped and counted, the
// next second admits again, other classes and known unicast are untouched.
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Forwarding;

namespace FastBridge.Tests.Datapath.Forwarding;

public sealed partial class BatchForwarderTests
{
    [Fact]
    public void Process_BroadcastOverItsRate_ExcessDroppedAsStormControl_OtherClassesAndNextSecondPass()
    {
        SetPolicy(0, new PortPolicy(PortFlags.Default, BroadcastRate: 2));
        for (int i = 0; i < 5; i++)
        {
            _ports[0].Inject(Frame(Broadcast, A));
        }
        _ports[0].Inject(Frame(Unknown, A));
        Run(0);

        Assert.Equal(3UL, _counters.Ports[0].Drops[(int)DropReason.StormControl]);
        Assert.Equal(3UL, _counters.Ports[0].Floods); // two broadcasts and the unknown unicast
        Assert.Equal(3, _ports[1].Transmitted);

        _batch.Clear();
        _ports[0].Inject(Frame(Broadcast, A));
        _ports[0].Receive(_batch);
        _forwarder.Process(_batch, 0, now: 1001);
        _ports[0].ReleaseReceived();
        Assert.Equal(3UL, _counters.Ports[0].Drops[(int)DropReason.StormControl]);
    }
}
