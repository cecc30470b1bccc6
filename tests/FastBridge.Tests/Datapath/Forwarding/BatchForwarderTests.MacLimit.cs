// A port's limit on learned addresses (PortPolicy.MaxLearned) with each action, over the same in-memory
// ports as the forwarding rules; the room under the limit is set here as the control plane sets it.
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Forwarding;

namespace FastBridge.Tests.Datapath.Forwarding;

public sealed partial class BatchForwarderTests
{
    private const string D = "02:00:00:00:00:0d";

    [Fact]
    public void Process_MacLimitStop_LearnsUpToTheLimit_ThenForwardsWithoutLearningAndCounts()
    {
        SetPolicy(0, new PortPolicy(PortFlags.Default, MaxLearned: 2));
        _states.Learning.Allow(0, 0, 2);
        Forward(0, Frame(Broadcast, A));
        Forward(0, Frame(Broadcast, A)); // known here: a refresh takes no room
        Forward(0, Frame(Broadcast, B));
        DrainAll();
        byte[] third = Frame(Broadcast, C);
        Forward(0, third);

        AssertReceivedBy(third, 1, 2, 3);
        Assert.Equal(0, _fdb.Lookup(FdbKey.Make(TestFrames.Mac(B), 0)));
        Assert.Equal(FdbTable.Miss, _fdb.Lookup(FdbKey.Make(TestFrames.Mac(C), 0)));
        Assert.Equal(1UL, _counters.Ports[0].FdbLimitHits);
        Assert.True(_states.IsUp(0));
    }

    [Fact]
    public void Process_MacLimit_OneBurstRepeatingANewSource_TakesRoomOnce()
    {
        SetPolicy(0, new PortPolicy(PortFlags.Default, MaxLearned: 2));
        _states.Learning.Allow(0, 0, 2);
        _ports[0].Inject(Frame(Broadcast, A));
        _ports[0].Inject(Frame(Broadcast, A));
        _ports[0].Inject(Frame(Broadcast, B));
        _ports[0].Inject(Frame(Broadcast, C));
        Run(0);

        Assert.Equal(0, _fdb.Lookup(FdbKey.Make(TestFrames.Mac(B), 0)));
        Assert.Equal(1UL, _counters.Ports[0].FdbLimitHits);
    }

    [Fact]
    public void Process_MacLimitShutdown_NewSourceOverTheLimit_TakesThePortDownWithItsReason()
    {
        SetPolicy(0, new PortPolicy(PortFlags.Default, MaxLearned: 1, LimitAction: MacLimitAction.Shutdown));
        _states.Learning.Allow(0, 0, 1);
        Forward(0, Frame(Broadcast, A));
        Assert.True(_states.IsUp(0));
        Forward(0, Frame(Broadcast, D));

        Assert.False(_states.IsUp(0));
        Assert.Equal(PolicyShutdown.MacLimit, _states.Errno(0));
        Assert.Equal(FdbTable.Miss, _fdb.Lookup(FdbKey.Make(TestFrames.Mac(D), 0)));
    }

    [Fact]
    public void Process_MacLimitOnAMovedStation_MoveTakesRoomToo()
    {
        Forward(1, Frame(Broadcast, A));
        SetPolicy(0, new PortPolicy(PortFlags.Default, MaxLearned: 1));
        _states.Learning.Allow(0, 0, 0);
        Forward(0, Frame(Broadcast, A));

        Assert.Equal(1, _fdb.Lookup(FdbKey.Make(TestFrames.Mac(A), 0)));
        Assert.Equal(1UL, _counters.Ports[0].FdbLimitHits);
    }
}
