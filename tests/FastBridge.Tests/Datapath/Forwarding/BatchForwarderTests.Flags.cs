// The per-port flags (PortFlags), each as the Linux bridge applies it, over the same in-memory ports as
// the forwarding rules. The integration tests (Integration/PortFlagsTests.cs) run the same cases on the
// Linux bridge itself.
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Frames;

namespace FastBridge.Tests.Datapath.Forwarding;

public sealed partial class BatchForwarderTests
{
    [Fact]
    public void Process_LearningOff_SourceNotLearnedButFrameForwarded()
    {
        SetFlags(0, PortFlags.Default & ~PortFlags.Learning);
        byte[] frame = Frame(Unknown, A);
        Forward(0, frame);
        AssertReceivedBy(frame, 1, 2, 3);
        Assert.Equal(FdbTable.Miss, _fdb.Lookup(FdbKey.Make(TestFrames.Mac(A), 0)));
    }

    [Theory]
    [InlineData(PortFlags.Flood, Unknown)]
    [InlineData(PortFlags.McastFlood, "01:00:5e:00:00:01")]
    [InlineData(PortFlags.McastFlood, "01:80:c2:00:00:00")]
    [InlineData(PortFlags.BcastFlood, Broadcast)]
    public void Process_FloodFlagOffOnEgress_ThatClassSkipsThePort_OthersStill(PortFlags off, string destination)
    {
        SetFlags(2, PortFlags.Default & ~off);
        byte[] frame = Frame(destination, A);
        Forward(0, frame);
        AssertReceivedBy(frame, 1, 3);
        foreach (string other in (string[])[Unknown, "01:00:5e:00:00:01", Broadcast])
        {
            if (PortFlagsFor(other) != off)
            {
                byte[] still = Frame(other, C);
                Forward(1, still);
                AssertReceivedBy(still, 0, 2, 3);
            }
        }
    }

    [Fact]
    public void Process_FloodOffOnIngressOnly_FloodsAsUsual()
    {
        SetFlags(0, PortFlags.Learning);
        byte[] frame = Frame(Unknown, A);
        Forward(0, frame);
        AssertReceivedBy(frame, 1, 2, 3);
    }

    [Fact]
    public void Process_BothPortsIsolated_NeitherFloodNorKnownUnicastPasses_OthersDo()
    {
        SetFlags(0, PortFlags.Default | PortFlags.Isolated);
        SetFlags(1, PortFlags.Default | PortFlags.Isolated);
        Forward(1, Frame(Broadcast, B));
        DrainAll();

        byte[] flood = Frame(Unknown, A);
        Forward(0, flood);
        AssertReceivedBy(flood, 2, 3);
        Forward(0, Frame(B, A));
        AssertReceivedBy(null);
        Assert.Equal(1UL, _counters.Ports[0].Drops[(int)DropReason.Isolated]);
        byte[] fromOpen = Frame(B, C);
        Forward(2, fromOpen);
        AssertReceivedBy(fromOpen, 1);
    }

    [Fact]
    public void Process_Hairpin_FloodAndKnownUnicastMayLeaveByTheIngressPort()
    {
        SetFlags(0, PortFlags.Default | PortFlags.Hairpin);
        byte[] flood = Frame(Unknown, A);
        Forward(0, flood);
        AssertReceivedBy(flood, 0, 1, 2, 3);
        Forward(0, Frame(Broadcast, B)); // B now lives behind port 0 too
        DrainAll();
        byte[] back = Frame(B, A);
        Forward(0, back);
        AssertReceivedBy(back, 0);
        Assert.Equal(0UL, _counters.Ports[0].Drops[(int)DropReason.SamePort]);
    }

    [Fact]
    public void Process_HairpinOnIsolatedPort_NeverBack()
    {
        SetFlags(0, PortFlags.Default | PortFlags.Hairpin | PortFlags.Isolated);
        byte[] flood = Frame(Unknown, A);
        Forward(0, flood);
        AssertReceivedBy(flood, 1, 2, 3);
    }

    [Fact]
    public void PortSet_PortRemovedAndAddedBack_KeepsItsFlagsUntilChanged_DefaultTableIsDefault()
    {
        var set = new PortSet(_ports, _states);
        Assert.True(set.Policy.IsDefault);
        PortSet flagged = set.WithPolicy(3, new PortPolicy(PortFlags.Learning));
        Assert.False(flagged.Policy.IsDefault);
        Assert.True(flagged.Without(3).Policy.IsDefault); // an absent port's flags matter to no flood list
        Assert.Equal(PortFlags.Learning, flagged.Without(3).With(3, _ports[3]).Policy.Of(3).Flags);
        Assert.Equal([0, 1, 2], flagged.Policy.FloodTargets(FloodClass.Broadcast).ToArray());
    }

    private static PortFlags PortFlagsFor(string destination) =>
        destination == Broadcast ? PortFlags.BcastFlood : MacAddress.IsGroup(TestFrames.Mac(destination)) ? PortFlags.McastFlood : PortFlags.Flood;

    private void SetFlags(int port, PortFlags flags) => SetPolicy(port, new PortPolicy(flags));

    private void SetPolicy(int port, PortPolicy policy) => _forwarder.Ports = _forwarder.Ports.WithPolicy(port, policy);
}
