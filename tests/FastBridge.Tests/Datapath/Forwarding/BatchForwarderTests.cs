using FastBridge.Datapath.Common;
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Ports;

namespace FastBridge.Tests.Datapath.Forwarding;

/// <summary>The 802.1D forwarding rules, one burst at a time, over in-memory ports.</summary>
public sealed partial class BatchForwarderTests : IDisposable
{
    private const string A = "02:00:00:00:00:0a";
    private const string B = "02:00:00:00:00:0b";
    private const string C = "02:00:00:00:00:0c";
    private const string Unknown = "02:00:00:00:00:99";
    private const string Broadcast = "ff:ff:ff:ff:ff:ff";

    private readonly MemoryPort[] _ports;
    private readonly PortStates _states;
    private readonly FdbTable _fdb = new(1024);
    private readonly LoopCounters _counters;
    private readonly FrameBatch _batch = new();
    private BatchForwarder _forwarder;

    public BatchForwarderTests()
    {
        _ports = [new MemoryPort("p0"), new MemoryPort("p1"), new MemoryPort("p2", mtu: 1000), new MemoryPort("p3", txSlots: 2)];
        _states = new PortStates(_ports.Length);
        _counters = new LoopCounters(_ports.Length);
        _forwarder = new BatchForwarder(_fdb, new PortSet(_ports, _states), _counters, groupForwardMask: 0);
    }

    public void Dispose()
    {
        foreach (MemoryPort port in _ports)
        {
            port.Dispose();
        }
    }

    [Fact]
    public void Process_UnknownUnicast_FloodsToEveryOtherPortButNotBack()
    {
        byte[] frame = Frame(Unknown, A);
        Forward(0, frame);
        AssertReceivedBy(frame, 1, 2, 3);
        Assert.Equal(1UL, _counters.Ports[0].Floods);
    }

    [Fact]
    public void Process_LearnedUnicast_GoesOutOfExactlyOnePort()
    {
        Forward(2, Frame(Broadcast, B));
        DrainAll();
        byte[] frame = Frame(B, A);
        Forward(0, frame);
        AssertReceivedBy(frame, 2);
        Assert.Equal(2, _fdb.Lookup(FdbKey.Make(TestFrames.Mac(B), 0)));
        Assert.Equal(0, _fdb.Lookup(FdbKey.Make(TestFrames.Mac(A), 0)));
    }

    [Theory]
    [InlineData(Broadcast)]
    [InlineData("01:00:5e:00:00:01")]
    [InlineData("33:33:00:00:00:01")]
    public void Process_GroupDestination_FloodsEvenWhenLearned(string destination)
    {
        byte[] frame = Frame(destination, A);
        Forward(1, frame);
        AssertReceivedBy(frame, 0, 2, 3);
    }

    [Theory]
    [InlineData("01:00:00:00:00:01")]
    [InlineData(Broadcast)]
    [InlineData("00:00:00:00:00:00")]
    public void Process_InvalidSource_IsDroppedAndNotLearned(string source)
    {
        Forward(0, Frame(Broadcast, source));
        AssertReceivedBy(null);
        Assert.Equal(1UL, _counters.Ports[0].Drops[(int)DropReason.InvalidSource]);
        Assert.Equal(0, _fdb.Count);
    }

    [Theory]
    [InlineData("01:80:c2:00:00:01")] // pause
    [InlineData("01:80:c2:00:00:02")] // LACP, slow protocols
    [InlineData("01:80:c2:00:00:03")] // 802.1X
    [InlineData("01:80:c2:00:00:0e")] // LLDP
    [InlineData("01:80:c2:00:00:0f")]
    public void Process_LinkLocalGroup_IsNotForwarded(string destination)
    {
        Forward(0, Frame(destination, A));
        AssertReceivedBy(null);
        Assert.Equal(1UL, _counters.Ports[0].Drops[(int)DropReason.LinkLocal]);
    }

    [Fact]
    public void Process_StpBpdu_FloodsWhileNoStpRuns()
    {
        byte[] bpdu = Frame("01:80:c2:00:00:00", A, etherType: 0x0026);
        Forward(0, bpdu);
        AssertReceivedBy(bpdu, 1, 2, 3);
    }

    [Fact]
    public void Process_GroupForwardMaskOpensLldp_LldpFloodsButLacpStaysLocal()
    {
        _forwarder = new BatchForwarder(_fdb, new PortSet(_ports, _states), _counters, groupForwardMask: 1 << 0xE);
        byte[] lldp = Frame("01:80:c2:00:00:0e", A, etherType: 0x88CC);
        Forward(0, lldp);
        AssertReceivedBy(lldp, 1, 2, 3);
        Forward(0, Frame("01:80:c2:00:00:02", A, etherType: 0x8809));
        AssertReceivedBy(null);
    }

    [Fact]
    public void Process_DestinationBehindIngressPort_IsDroppedAsSamePort()
    {
        Forward(0, Frame(Broadcast, B));
        DrainAll();
        Forward(0, Frame(B, A));
        AssertReceivedBy(null);
        Assert.Equal(1UL, _counters.Ports[0].Drops[(int)DropReason.SamePort]);
    }

    [Fact]
    public void Process_StationMoves_IsFollowedToTheNewPort()
    {
        Forward(1, Frame(Broadcast, B));
        Forward(3, Frame(Broadcast, B));
        DrainAll();
        byte[] frame = Frame(B, A);
        Forward(0, frame);
        AssertReceivedBy(frame, 3);
        Assert.Equal(1, _counters.Fdb.Moved);
    }

    [Fact]
    public void Process_Runt_IsDroppedAndCounted()
    {
        Forward(0, new byte[13]);
        AssertReceivedBy(null);
        Assert.Equal(1UL, _counters.Ports[0].Drops[(int)DropReason.Runt]);
        Assert.Equal(1UL, _counters.Ports[0].RxPackets);
    }

    [Fact]
    public void Process_FrameLongerThanEgressMtu_IsDroppedOnThatPortOnly()
    {
        byte[] frame = Frame(Unknown, A, length: 1000 + 18 + 1);
        Forward(0, frame);
        AssertReceivedBy(frame, 1, 3);
        Assert.Equal(1UL, _counters.Ports[2].Drops[(int)DropReason.TooBig]);
    }

    [Fact]
    public void Process_FrameOfExactlyMtuPlusHeaderAndTag_Passes()
    {
        byte[] frame = Frame(Unknown, A, length: 1000 + 18);
        Forward(0, frame);
        AssertReceivedBy(frame, 1, 2, 3);
    }

    [Fact]
    public void Process_TagStrippedByKernel_LeavesByteIdenticalWithTheTag()
    {
        byte[] untagged = Frame(Unknown, A, length: 64);
        _ports[0].Inject(untagged, strippedTpid: 0x8100, strippedTci: 0x2064);
        Run(0);
        Assert.True(_ports[1].TryTakeTransmitted(out byte[] sent));
        byte[] expected = [.. untagged.AsSpan(0, 12), 0x81, 0x00, 0x20, 0x64, .. untagged.AsSpan(12)];
        Assert.Equal(expected, sent);
    }

    [Fact]
    public void Process_QinQTaggedFrameInBytes_PassesUnchanged()
    {
        byte[] frame = Frame(Unknown, A, etherType: 0x88A8, length: 72);
        frame[14] = 0x00;
        frame[15] = 0x64;
        frame[16] = 0x81;
        frame[17] = 0x00;
        Forward(0, frame);
        AssertReceivedBy(frame, 1, 2, 3);
    }

    [Fact]
    public void Process_EgressRingFull_CountsNoTxRoomAndKeepsTheRest()
    {
        for (int i = 0; i < 5; i++)
        {
            _ports[0].Inject(Frame(Unknown, A));
        }
        Run(0);
        Assert.Equal(2, _ports[3].Transmitted);
        Assert.Equal(3UL, _counters.Ports[3].Drops[(int)DropReason.NoTxRoom]);
        Assert.Equal(5, _ports[1].Transmitted);
        Assert.Equal(2UL, _counters.Ports[3].TxPackets);
    }

    [Fact]
    public void Process_PortDown_IsNeitherFloodedToNorUsedForUnicast()
    {
        Forward(2, Frame(Broadcast, C));
        DrainAll();
        _states.MarkDown(2, errno: 19);
        byte[] frame = Frame(C, A);
        Forward(0, frame);
        AssertReceivedBy(frame, 1, 3);
    }

    [Fact]
    public void Process_Counters_CountPacketsAndBytesBothWays()
    {
        byte[] frame = Frame(Unknown, A, length: 100);
        Forward(0, frame);
        Assert.Equal(1UL, _counters.Ports[0].RxPackets);
        Assert.Equal(100UL, _counters.Ports[0].RxBytes);
        Assert.Equal(1UL, _counters.Ports[1].TxPackets);
        Assert.Equal(100UL, _counters.Ports[1].TxBytes);
        Assert.Equal(1, _counters.Fdb.Learned);
    }

    private static byte[] Frame(string destination, string source, ushort etherType = TestFrames.ExperimentalEtherType, int length = TestFrames.MinFrame) =>
        TestFrames.Sized(TestFrames.Mac(destination), TestFrames.Mac(source), length, etherType);

    private void Forward(int ingress, byte[] frame)
    {
        _ports[ingress].Inject(frame);
        Run(ingress);
    }

    private void Run(int ingress)
    {
        _batch.Clear();
        _ports[ingress].Receive(_batch);
        _forwarder.Process(_batch, ingress, now: 1000);
        _ports[ingress].ReleaseReceived();
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

    /// <summary>Exactly the listed ports transmitted exactly <paramref name="frame"/>, once each; null: none transmitted anything.</summary>
    private void AssertReceivedBy(byte[]? frame, params int[] ports)
    {
        for (int i = 0; i < _ports.Length; i++)
        {
            if (frame is not null && ports.Contains(i))
            {
                Assert.True(_ports[i].TryTakeTransmitted(out byte[] sent), $"port {i} sent nothing");
                Assert.Equal(frame, sent);
            }
            Assert.False(_ports[i].TryTakeTransmitted(out _), $"port {i} sent a frame it should not have");
        }
    }
}
