// MAC-flap detection over one loop's recorded moves: a station moving more than the moved-to port's
// mac_flap_limit in a tick is reported and counted there; loop_action block takes that port down for
// loop_hold seconds, then a tick puts it back.
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Hosting;
using FastBridge.Datapath.Ports;

namespace FastBridge.Tests.Datapath.Hosting;

public sealed class MacFlapDetectorTests
{
    private const ulong Station = 0x0200_0000_00AAUL;

    private readonly PortStates _states = new(4);
    private readonly PollLoop _loop;
    private readonly MacFlapDetector _detector = new(4);

    public MacFlapDetectorTests()
    {
        PortSet ports = PortSet.Empty(4, _states);
        for (int id = 0; id < 3; id++)
        {
            _states.Reset(id);
            ports = ports.With(id, new MemoryPort($"m{id}"));
        }
        _loop = new PollLoop(0, -1, ports, new FdbTable(1024), 0, IdleMode.Block);
    }

    [Fact]
    public void Tick_MovesOverTheLimit_ReportsStationPortsAndCount_BlockOnlyWhenAsked()
    {
        Flap(moves: 6, 1, 2);
        List<MacFlap> flaps = _detector.Tick([_loop], _loop.Ports, now: 100);

        MacFlap flap = Assert.Single(flaps);
        Assert.Equal((FdbKey.Make(Station, 0), 6, -1), (flap.Key, flap.Moves, flap.BlockedPort));
        Assert.Equal([1, 2], flap.Ports);
        Assert.Equal(1, _detector.FlapsOf(2));
        Assert.True(_states.IsUp(2));
    }

    [Fact]
    public void Tick_MovesAtTheLimit_NoFlap()
    {
        Flap(moves: PortPolicy.DefaultMacFlapLimit, 1, 2);
        Assert.Empty(_detector.Tick([_loop], _loop.Ports, now: 100));
    }

    [Fact]
    public void Tick_LoopActionBlock_BlocksTheLaterPortForItsHold_ThenPutsItBack()
    {
        _loop.Publish(_loop.Ports.WithPolicy(2, PortPolicy.Default with { LoopAction = LoopAction.Block, MacFlapLimit = 2, LoopHoldSeconds = 5 }));
        Flap(moves: 3, 1, 2);
        MacFlap flap = Assert.Single(_detector.Tick([_loop], _loop.Ports, now: 100));

        Assert.Equal(2, flap.BlockedPort);
        Assert.False(_states.IsUp(2));
        Assert.Equal(PolicyShutdown.LoopBlock, _states.Errno(2));
        Assert.True(_states.IsUp(1));
        _detector.Tick([_loop], _loop.Ports, now: 104);
        Assert.False(_states.IsUp(2));
        _detector.Tick([_loop], _loop.Ports, now: 105);
        Assert.True(_states.IsUp(2));
    }

    /// <summary>Records the station moving <paramref name="moves"/> times, alternating between the two ports and ending on the second.</summary>
    private void Flap(int moves, int first, int second)
    {
        for (int i = moves - 1; i >= 0; i--)
        {
            _loop.Counters.Moves.Record(FdbKey.Make(Station, 0), i % 2 == 0 ? second : first);
        }
    }
}
