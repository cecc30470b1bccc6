// The fast-path XDP program on this kernel: the verifier accepts it, and on a veth pair whose peers
// run GRO it redirects a known unicast frame in the kernel, counts it, refreshes the source's stamp,
// and hands everything it is not sure about (unknown source, unconfirmed egress) to the slow path, and
// nothing from a port while frames it handed there wait (the drain). On a
// VLAN-aware bridge it redirects only what leaves as it came in (no tag pushed, popped or rewritten).
using System.Runtime.CompilerServices;
using FastBridge.ControlPlane.Lab;
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Frames;
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

    [Theory]
    [InlineData(VlanTag.CustomerTpid)]
    [InlineData(VlanTag.ServiceTpid)]
    public void CheckFastPath_VlanAware_VerifierAccepts(ushort tpid)
    {
        using FastPathMaps maps = FastPathMaps.Create(1024, 64, tpid);
        Assert.Null(XdpAttachment.CheckFastPath(maps));
    }

    [Fact]
    public void FastPathVlans_Layout_OneRuleBytePerVlanThenThePvid()
    {
        var rules = default(FastPathVlans);

        Assert.Equal(4100, Unsafe.SizeOf<FastPathVlans>());
        Assert.Equal(FastPathVlans.PvidOffset, (int)Unsafe.ByteOffset(ref Unsafe.As<FastPathVlans, byte>(ref rules), ref Unsafe.As<uint, byte>(ref rules.Pvid)));
        Assert.Equal(10, (int)Unsafe.ByteOffset(ref Unsafe.As<FastPathVlans, byte>(ref rules), ref rules.Rules[10]));
    }

    private const byte Member = FastPathVlanRules.Member, MemberUntagged = FastPathVlanRules.Member | FastPathVlanRules.Untagged;

    /// <summary>VLAN 10 on an 802.1Q bridge: the frame's tag (TPID 0: none), the rule byte of VLAN 10 on each port (both PVID 10), redirected or not.</summary>
    public static TheoryData<ushort, ushort, byte, byte, bool> VlanCases => new()
    {
        { VlanTag.CustomerTpid, 0x600A, Member, Member, true },                  // tagged to a tagged member: as it came, priority too
        { 0, 0, MemberUntagged, MemberUntagged, true },                          // PVID's frame to an untagged member
        { VlanTag.ServiceTpid, 0x000A, MemberUntagged, MemberUntagged, true },   // the other TPID is no tag: the PVID's frame
        { 0, 0, MemberUntagged, Member, false },                                 // a push
        { VlanTag.CustomerTpid, 0x000A, Member, MemberUntagged, false },          // a pop
        { VlanTag.CustomerTpid, 0x6000, MemberUntagged, MemberUntagged, false },  // priority-tagged: its VID becomes 10
        { VlanTag.CustomerTpid, 0x6000, MemberUntagged, Member, false },
        { VlanTag.CustomerTpid, 0x000A, 0, Member, false },                       // ingress not a member
        { 0, 0, 0, MemberUntagged, false },
        { VlanTag.CustomerTpid, 0x000A, Member, 0, false },                       // egress not a member
    };

    [Theory]
    [MemberData(nameof(VlanCases))]
    public void Redirect_VlanAware_OnlyWhatLeavesAsItCame(ushort tpid, ushort tci, byte ingressRule, byte egressRule, bool redirected)
    {
        using var ports = new TwoPorts(VlanTag.CustomerTpid, vlan: 10);
        ports.Maps.Write(FdbKey.Make(StationA, 10), new FastPathEntry { Port = 0, IfIndex = (uint)ports.A.IfIndex });
        WriteRules(ports.Maps, ports.A.IfIndex, ingressRule);
        WriteRules(ports.Maps, ports.B.IfIndex, egressRule);
        byte[] frame = TestFrames.Experimental(StationB, StationA, TestFrames.Marker("vlan"));
        frame = tpid == 0 ? frame : TestFrames.Tagged(frame, tpid, tci);

        ports.SenderA.Send(frame);

        Assert.Equal(redirected ? frame : null, ports.ReceiverB.ReceiveTest(redirected ? 2000 : 300));
        Assert.Equal(redirected ? 1UL : 0UL, ports.Maps.ReadCounters(1).TxPackets);
    }

    [Fact]
    public void Redirect_VlanAwarePortWithoutRules_NotRedirected()
    {
        using var ports = new TwoPorts(VlanTag.CustomerTpid, vlan: 10);
        ports.Maps.Write(FdbKey.Make(StationA, 10), new FastPathEntry { Port = 0, IfIndex = (uint)ports.A.IfIndex });
        WriteRules(ports.Maps, ports.A.IfIndex, MemberUntagged);

        ports.SenderA.Send(TestFrames.Experimental(StationB, StationA, TestFrames.Marker("no rules at B")));
        WriteRules(ports.Maps, ports.B.IfIndex, MemberUntagged);
        ports.Maps.DeleteVlans(ports.A.IfIndex);
        ports.SenderA.Send(TestFrames.Experimental(StationB, StationA, TestFrames.Marker("no rules at A")));

        Assert.Null(ports.ReceiverB.ReceiveTest(300));
        Assert.Equal(0UL, ports.Maps.ReadCounters(1).TxPackets);
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
    public void Redirect_SourceInTheLastSlotOfItsGroup_Found()
    {
        using var ports = new TwoPorts();
        ulong[] group = FastPathFdbTableTests.SameGroup(ports.Maps, FastPathMaps.SlotsPerGroup, firstMac: StationA); // StationA's first
        foreach (ulong other in group[1..])
        {
            Assert.True(ports.Maps.Write(other, new FastPathEntry { Port = 0, IfIndex = (uint)ports.A.IfIndex }));
        }
        Assert.True(ports.Maps.Write(group[0], new FastPathEntry { Port = 0, IfIndex = (uint)ports.A.IfIndex }));
        Assert.DoesNotContain(FdbKey.Make(StationB, 0), group);
        byte[] frame = TestFrames.Experimental(StationB, StationA, TestFrames.Marker("last slot"));

        ports.SenderA.Send(frame);

        Assert.Equal(frame, ports.ReceiverB.ReceiveTest(2000));
        Assert.Equal(1UL, ports.Maps.ReadCounters(1).TxPackets);
    }

    [Fact]
    public void Redirect_EgressClosedOrSourceUnknown_NotRedirected()
    {
        using var ports = new TwoPorts();

        ports.SenderA.Send(TestFrames.Experimental(StationB, StationA, TestFrames.Marker("unknown source")));
        ports.Maps.Write(FdbKey.Make(StationA, 0), new FastPathEntry { Port = 0, IfIndex = (uint)ports.A.IfIndex });
        ports.Maps.Close(1);
        ports.SenderA.Send(TestFrames.Experimental(StationB, StationA, TestFrames.Marker("closed")));

        Assert.Null(ports.ReceiverB.ReceiveTest(300));
        Assert.Equal(0UL, ports.Maps.ReadCounters(1).TxPackets);
    }

    [Fact]
    public void Redirect_IngressClosed_NotRedirectedTillOpenAgain()
    {
        using var ports = new TwoPorts();
        ports.Maps.Write(FdbKey.Make(StationA, 0), new FastPathEntry { Port = 0, IfIndex = (uint)ports.A.IfIndex });

        ports.Maps.Close(0);
        ports.SenderA.Send(TestFrames.Experimental(StationB, StationA, TestFrames.Marker("ingress closed")));
        Assert.Null(ports.ReceiverB.ReceiveTest(300));
        ports.WaitWaiting(1);
        ports.LoopsForwarded(1);
        Assert.True(ports.Maps.Open(0, 0, 0, 0));
        ports.SenderA.Send(TestFrames.Experimental(StationB, StationA, TestFrames.Marker("open again")));

        Assert.NotNull(ports.ReceiverB.ReceiveTest(2000));
        Assert.Equal(1UL, ports.Maps.ReadCounters(1).TxPackets);
    }

    [Fact]
    public void Redirect_FramesOfTheIngressInUserSpace_NotRedirectedTillTheLoopsHaveForwardedThem()
    {
        using var ports = new TwoPorts();

        ports.SenderA.Send(TestFrames.Experimental(StationB, StationA, TestFrames.Marker("unknown source: to the loops")));
        ports.WaitWaiting(1);
        ports.Maps.Write(FdbKey.Make(StationA, 0), new FastPathEntry { Port = 0, IfIndex = (uint)ports.A.IfIndex });
        ports.SenderA.Send(TestFrames.Experimental(StationB, StationA, TestFrames.Marker("behind the first")));

        Assert.Null(ports.ReceiverB.ReceiveTest(300)); // would overtake the first, which a loop still holds
        ports.WaitWaiting(2);
        ports.LoopsForwarded(2);
        byte[] third = TestFrames.Experimental(StationB, StationA, TestFrames.Marker("nothing waits"));
        ports.SenderA.Send(third);
        Assert.Equal(third, ports.ReceiverB.ReceiveTest(2000));
        Assert.Equal(0, ports.Waiting);
    }

    [Fact]
    public void Forwarded_FramesWaitingAt64ReportsOverAMillisecond_WrittenOffByTheLoop()
    {
        using var ports = new TwoPorts();
        ports.SenderA.Send(TestFrames.Experimental(StationB, StationA, TestFrames.Marker("never taken")));
        ports.WaitWaiting(1);

        for (int report = 0; report < 63; report++)
        {
            ports.LoopsForwarded(0);
        }
        Assert.Equal(1, ports.Waiting); // a full ring drains in 32 reports: catching up never writes off
        Thread.Sleep(10); // past the millisecond on the loop's coarse clock, which moves in 4-ms ticks here (2 ms once failed)
        ports.LoopsForwarded(0);
        Assert.Equal(0, ports.Waiting);
    }

    [Fact]
    public void SettleDrains_FramesWaitingAtEveryLookForTwoSeconds_WrittenOffAndBelowZeroSetBack()
    {
        using var ports = new TwoPorts();
        ports.SenderA.Send(TestFrames.Experimental(StationB, StationA, TestFrames.Marker("taken late")));
        ports.WaitWaiting(1);
        ports.Maps.SettleDrains();
        Thread.Sleep(1500);
        ports.Maps.SettleDrains();
        Assert.Equal(1, ports.Waiting); // waiting for 1.5 s only
        ports.LoopsForwarded(1);
        ports.Maps.SettleDrains();      // a look that sees nothing waiting starts the clock again

        ports.SenderA.Send(TestFrames.Experimental(StationB, StationA, TestFrames.Marker("never taken")));
        ports.WaitWaiting(1);
        ports.Maps.SettleDrains();
        Thread.Sleep(1500);
        ports.Maps.SettleDrains();
        Assert.Equal(1, ports.Waiting);
        Thread.Sleep(600);
        ports.Maps.SettleDrains();
        Assert.Equal(0, ports.Waiting);

        ports.Maps.Write(FdbKey.Make(StationA, 0), new FastPathEntry { Port = 0, IfIndex = (uint)ports.A.IfIndex });
        byte[] frame = TestFrames.Experimental(StationB, StationA, TestFrames.Marker("after the write-off"));
        ports.SenderA.Send(frame);
        Assert.Equal(frame, ports.ReceiverB.ReceiveTest(2000));
        ports.LoopsForwarded(1); // the written-off frame arrives after all
        Assert.Equal(-1, ports.Waiting);
        ports.Maps.SettleDrains();
        Assert.Equal(0, ports.Waiting);
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

    /// <summary>Port <paramref name="ifIndex"/>'s VLAN rules: PVID 10, and <paramref name="rule"/> for VLAN 10.</summary>
    private static void WriteRules(FastPathMaps maps, int ifIndex, byte rule)
    {
        var rules = new FastPathVlans { Pvid = 10 };
        rules.Rules[10] = rule;
        Assert.True(maps.WriteVlans(ifIndex, rules));
        Assert.True(maps.TryReadVlans(ifIndex, out FastPathVlans read));
        Assert.Equal((10U, rule), (read.Pvid, read.Rules[10]));
    }

    /// <summary>
    /// Ports 0 (A) and 1 (B) on veth pairs, B's peer with GRO on, the fast path on A (VLAN-aware with a TPID), B
    /// confirmed, StationB known behind B in <paramref name="vlan"/>.
    /// </summary>
    private sealed class TwoPorts : IDisposable
    {
        private readonly VethLab _lab = new();
        private readonly XdpAttachment _onA;
        private PortDrain? _loop;   // one loop's handle, as a port holds it

        public TwoPorts(ushort vlanTpid = 0, ushort vlan = 0)
        {
            Maps = FastPathMaps.Create(1024, 64, vlanTpid);
            (string a, string peerA) = _lab.AddVeth("a");
            (string b, string peerB) = _lab.AddVeth("b");
            HostGro.Set(_lab.Netns, peerB, on: true);
            A = NetInterface.Inspect(a);
            B = NetInterface.Inspect(b);
            _onA = XdpAttachment.AttachFastPath(A, Maps);
            Assert.True(Maps.Open(0, 0, 0, 0)); // A forwards, takes no redirects
            Assert.True(Maps.Open(1, B.IfIndex, 1518, 1514));
            Assert.True(Maps.Write(FdbKey.Make(StationB, vlan), new FastPathEntry { Port = 1, IfIndex = (uint)B.IfIndex }));
            SenderA = _lab.OpenPeer(peerA);
            ReceiverB = _lab.OpenPeer(peerB, keepTags: true);
        }

        public FastPathMaps Maps { get; }

        public NetInterfaceInfo A { get; }

        public NetInterfaceInfo B { get; }

        public RawSocket SenderA { get; }

        public RawSocket ReceiverB { get; }

        /// <summary>A's frames in user space as its program counts them.</summary>
        public long Waiting => _onA.DrainWaiting;

        /// <summary>Waits until A's program counts <paramref name="frames"/> of its frames in user space.</summary>
        public void WaitWaiting(long frames)
        {
            var deadline = DateTime.UtcNow.AddSeconds(2);
            while (Waiting < frames && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(5);
            }
            Assert.Equal(frames, Waiting);
        }

        /// <summary>What a poll loop reports once it has forwarded <paramref name="frames"/> frames A's program gave it.</summary>
        public void LoopsForwarded(ulong frames) => (_loop ??= _onA.Drain(0)!).Forwarded(frames);

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
