// The fast-path XDP program on this kernel: the verifier accepts it, and on a veth pair whose peers
// run GRO it redirects a known unicast frame in the kernel, counts it, refreshes the source's stamp,
// and hands everything it is not sure about (unknown source, unconfirmed egress) to the slow path.
using FastBridge.ControlPlane.Lab;
using FastBridge.Datapath.Common;
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
        using var ports = new TwoPorts();
        using XdpAttachment atB = XdpAttachment.AttachFastPath(ports.B, ports.Maps);
        Assert.True(ports.Maps.Write(FdbKey.Make(StationA, 0), new FastPathEntry { Port = 0, IfIndex = (uint)ports.A.IfIndex }));
        byte[] frame = TestFrames.Experimental(StationB, StationA, TestFrames.Marker("fast"));

        ports.SenderA.Send(frame);

        Assert.Equal(frame, ports.ReceiverB.ReceiveTest(2000));
        FastPathCounters rx = ports.Maps.ReadCounters(0), tx = ports.Maps.ReadCounters(1);
        Assert.Equal((1UL, (ulong)frame.Length), (rx.RxPackets, rx.RxBytes));
        Assert.Equal((1UL, (ulong)frame.Length), (tx.TxPackets, tx.TxBytes));
        Assert.True(ports.Maps.TryRead(FdbKey.Make(StationA, 0), out FastPathEntry source));
        Assert.InRange(source.LastSeen, FdbClock.Now - 1, FdbClock.Now + 1); // the program's clock is FdbClock's
    }

    [Fact]
    public void Redirect_EgressWithdrawnOrSourceUnknown_NotRedirected()
    {
        using var ports = new TwoPorts();

        ports.SenderA.Send(TestFrames.Experimental(StationB, StationA, TestFrames.Marker("unknown source")));
        ports.Maps.Write(FdbKey.Make(StationA, 0), new FastPathEntry { Port = 0, IfIndex = (uint)ports.A.IfIndex });
        ports.Maps.Withdraw(1);
        ports.SenderA.Send(TestFrames.Experimental(StationB, StationA, TestFrames.Marker("withdrawn")));

        Assert.Null(ports.ReceiverB.ReceiveTest(300));
        Assert.Equal(0UL, ports.Maps.ReadCounters(1).TxPackets);
    }

    [Fact]
    public void Redirect_DestinationOnIngressOrBothIsolated_NotRedirected()
    {
        using var ports = new TwoPorts();
        ulong stationOnA = FdbKey.Make(0x02AA_0000_0003, 0);
        ports.Maps.Write(FdbKey.Make(StationA, 0), new FastPathEntry { Port = 0, IfIndex = (uint)ports.A.IfIndex, Flags = FastPathEntryFlags.Isolated });
        ports.Maps.Write(stationOnA, new FastPathEntry { Port = 0, IfIndex = (uint)ports.A.IfIndex });

        ports.SenderA.Send(TestFrames.Experimental(0x02AA_0000_0003, StationA, TestFrames.Marker("hairpin")));
        ports.Maps.Write(FdbKey.Make(StationB, 0), new FastPathEntry { Port = 1, IfIndex = (uint)ports.B.IfIndex, Flags = FastPathEntryFlags.Isolated });
        ports.SenderA.Send(TestFrames.Experimental(StationB, StationA, TestFrames.Marker("isolated")));

        Assert.Null(ports.ReceiverB.ReceiveTest(300));
        Assert.Equal(0UL, ports.Maps.ReadCounters(0).RxPackets);
    }

    /// <summary>Ports 0 (A) and 1 (B) on veth pairs, B's peer with GRO on, the fast path on A, B confirmed, StationB known behind B.</summary>
    private sealed class TwoPorts : IDisposable
    {
        private readonly VethLab _lab = new();
        private readonly XdpAttachment _onA;

        public TwoPorts()
        {
            (string a, string peerA) = _lab.AddVeth("a");
            (string b, string peerB) = _lab.AddVeth("b");
            HostGro.Set(_lab.Netns, peerB, on: true);
            A = NetInterface.Inspect(a);
            B = NetInterface.Inspect(b);
            _onA = XdpAttachment.AttachFastPath(A, Maps);
            Assert.True(Maps.Confirm(1, B.IfIndex, 1518, 1514));
            Assert.True(Maps.Write(FdbKey.Make(StationB, 0), new FastPathEntry { Port = 1, IfIndex = (uint)B.IfIndex }));
            SenderA = _lab.OpenPeer(peerA);
            ReceiverB = _lab.OpenPeer(peerB);
        }

        public FastPathMaps Maps { get; } = FastPathMaps.Create(1024, 64);

        public NetInterfaceInfo A { get; }

        public NetInterfaceInfo B { get; }

        public RawSocket SenderA { get; }

        public RawSocket ReceiverB { get; }

        public void Dispose()
        {
            SenderA.Dispose();
            ReceiverB.Dispose();
            _onA.Dispose();
            Maps.Dispose();
            _lab.Dispose();
        }
    }
}
