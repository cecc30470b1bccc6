// The fast-path XDP program on this kernel: the verifier accepts it, and on a veth pair whose peers
// run GRO it redirects a known unicast frame in the kernel, counts it, refreshes the source's stamp,
// and hands everything it is not sure about (unknown source, unconfirmed egress) to the slow path.
using FastBridge.ControlPlane.Lab;
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Ports;
using FastBridge.Datapath.Xdp;
using FastBridge.Testing.Frames;
using FastBridge.Testing.Lab;
using FastBridge.Testing.Traffic;

namespace FastBridge.Tests.Datapath.Xdp;

public sealed class FastPathProgramTests
{
    private const ulong StationA = 0x02AA_0000_0001, StationB = 0x02BB_0000_0002;

    [Fact]
    public void CheckFastPath_ThisKernel_VerifierAccepts()
    {
        using FastPathMaps maps = FastPathMaps.Create(1024, 64);
        Assert.Null(XdpAttachment.CheckFastPath(maps));
    }

    [Fact]
    public void Redirect_KnownUnicastToConfirmedPort_ArrivesCountedAndStamped()
    {
        using var lab = new VethLab();
        (string a, string peerA) = lab.AddVeth("a");
        (string b, string peerB) = lab.AddVeth("b");
        HostGro.Set(lab.Netns, peerB, on: true);
        using FastPathMaps maps = FastPathMaps.Create(1024, 64);
        var ifA = NetInterface.Inspect(a);
        var ifB = NetInterface.Inspect(b);
        using XdpAttachment atA = XdpAttachment.AttachFastPath(ifA, maps);
        using XdpAttachment atB = XdpAttachment.AttachFastPath(ifB, maps);
        Assert.True(maps.Confirm(1, ifB.IfIndex, 1518, 1514));
        Assert.True(maps.Write(FdbKey.Make(StationA, 0), new FastPathEntry { Port = 0, IfIndex = (uint)ifA.IfIndex }));
        Assert.True(maps.Write(FdbKey.Make(StationB, 0), new FastPathEntry { Port = 1, IfIndex = (uint)ifB.IfIndex }));
        using RawSocket sender = lab.OpenPeer(peerA);
        using RawSocket receiver = lab.OpenPeer(peerB);
        byte[] frame = TestFrames.Experimental(StationB, StationA, TestFrames.Marker("fast"));

        sender.Send(frame);

        Assert.Equal(frame, receiver.ReceiveTest(2000));
        FastPathCounters rx = maps.ReadCounters(0), tx = maps.ReadCounters(1);
        Assert.Equal((1UL, (ulong)frame.Length), (rx.RxPackets, rx.RxBytes));
        Assert.Equal((1UL, (ulong)frame.Length), (tx.TxPackets, tx.TxBytes));
        Assert.True(maps.TryRead(FdbKey.Make(StationA, 0), out FastPathEntry source));
        Assert.InRange(source.LastSeen, FdbClock.Now - 1, FdbClock.Now + 1); // the program's clock is FdbClock's
    }

    [Fact]
    public void Redirect_EgressWithdrawnOrSourceUnknown_NotRedirected()
    {
        using var lab = new VethLab();
        (string a, string peerA) = lab.AddVeth("a");
        (string b, string peerB) = lab.AddVeth("b");
        HostGro.Set(lab.Netns, peerB, on: true);
        using FastPathMaps maps = FastPathMaps.Create(1024, 64);
        var ifA = NetInterface.Inspect(a);
        var ifB = NetInterface.Inspect(b);
        using XdpAttachment atA = XdpAttachment.AttachFastPath(ifA, maps);
        maps.Confirm(1, ifB.IfIndex, 1518, 1514);
        maps.Write(FdbKey.Make(StationB, 0), new FastPathEntry { Port = 1, IfIndex = (uint)ifB.IfIndex });
        using RawSocket sender = lab.OpenPeer(peerA);
        using RawSocket receiver = lab.OpenPeer(peerB);

        sender.Send(TestFrames.Experimental(StationB, StationA, TestFrames.Marker("unknown source")));
        maps.Write(FdbKey.Make(StationA, 0), new FastPathEntry { Port = 0, IfIndex = (uint)ifA.IfIndex });
        maps.Withdraw(1);
        sender.Send(TestFrames.Experimental(StationB, StationA, TestFrames.Marker("withdrawn")));

        Assert.Null(receiver.ReceiveTest(300));
        Assert.Equal(0UL, maps.ReadCounters(1).TxPackets);
    }
}
