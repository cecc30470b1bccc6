// The XDP fast path end to end, on a switch host over veth pairs whose peers (in one namespace) have GRO
// on: known unicast crosses in the kernel and is counted once; with a peer's GRO off every frame still
// arrives through the poll loop; a station that moves is followed at once; a station talking only
// through the kernel does not age out; a removed port is never a target again; and the map equals the
// FDB after each control operation. Port policy holds in the kernel too: two isolated ports never talk,
// and a port a policy shut down neither sends nor receives through the fast path.
using FastBridge.ControlPlane.Lab;
using FastBridge.ControlPlane.Switch;
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Hosting;
using FastBridge.Datapath.Xdp;
using FastBridge.Testing.Frames;
using FastBridge.Testing.Lab;
using FastBridge.Testing.Traffic;

namespace FastBridge.Tests.ControlPlane.Switch;

public sealed partial class SwitchHostFastPathTests : IDisposable
{
    private readonly VethLab _lab = new();
    private readonly List<string> _ports = [];
    private readonly List<RawSocket> _peers = [];
    private readonly List<string> _peerNames = [];

    public void Dispose()
    {
        foreach (RawSocket peer in _peers)
        {
            peer.Dispose();
        }
        _lab.Dispose();
    }

    private static ulong Station(int i) => 0x02C0_0000_0000UL | (uint)i;

    [Fact]
    public void KnownUnicast_AfterMirror_CrossesInKernelCountedOnce()
    {
        using SwitchHost host = Start(3, groOn: [true, true, true]);
        LearnAll(host, 3);
        const int Frames = 200;

        for (int i = 0; i < Frames; i++)
        {
            _peers[0].Send(TestFrames.Numbered(i, 64, Station(1), Station(0)));
        }

        Assert.Equal(Frames, ReceiveAll(1, Frames));
        Assert.True(NoneArrives(2));
        DatapathHost datapath = host.Datapath;
        Assert.Equal((ulong)Frames, datapath.FastPathCounts(0).RxPackets);
        Assert.Equal((ulong)Frames * 64, datapath.FastPathCounts(0).RxBytes);
        Assert.Equal((ulong)Frames, datapath.FastPathCounts(1).TxPackets);
        DatapathStats stats = datapath.ReadStats();
        Assert.Equal((ulong)Frames + 1, stats.Ports[0].Counters.RxPackets); // the learning frame went through the poll loop
        Assert.Contains("on (peer", host.FastPathOf(_ports[1]));
    }

    [Fact]
    public void PeerGroOff_EveryFrameArrivesThroughPollLoop()
    {
        using SwitchHost host = Start(2, groOn: [true, false]);
        LearnAll(host, 2);
        const int Frames = 200;

        for (int i = 0; i < Frames; i++)
        {
            _peers[0].Send(TestFrames.Numbered(i, 64, Station(1), Station(0)));
        }

        Assert.Equal(Frames, ReceiveAll(1, Frames));
        Assert.Equal(0UL, host.Datapath.FastPathCounts(1).TxPackets);
        Assert.False(host.Datapath.IsFastPathTarget(1));
        Assert.Contains("off (peer", host.FastPathOf(_ports[1]));
        Assert.Contains("GRO off", host.FastPathOf(_ports[1]));
    }

    [Fact]
    public void PeerGroTurnedOffWhileFlowing_FramesArriveAgainWithinTickTargetAgainWhenOn()
    {
        using SwitchHost host = Start(2, groOn: [true, true]);
        LearnAll(host, 2);
        Assert.True(host.Datapath.IsFastPathTarget(1));

        HostGro.Set(_lab.Netns, _peerNames[1], on: false);
        DateTime until = DateTime.UtcNow.AddSeconds(2.5); // the tick finds it within about a second
        while (DateTime.UtcNow < until && host.Datapath.IsFastPathTarget(1))
        {
            _peers[0].Send(TestFrames.Numbered(1, 64, Station(1), Station(0)));
            Thread.Sleep(50);
        }

        Assert.False(host.Datapath.IsFastPathTarget(1));
        Assert.Contains("GRO off", host.FastPathOf(_ports[1]));
        while (_peers[1].ReceiveTest(100) is not null)
        {
        }
        ulong sent = host.Datapath.FastPathCounts(1).TxPackets;
        for (int i = 0; i < 20; i++)
        {
            _peers[0].Send(TestFrames.Numbered(100 + i, 64, Station(1), Station(0)));
        }
        Assert.Equal(20, ReceiveAll(1, 20)); // through the poll loop now
        Assert.Equal(sent, host.Datapath.FastPathCounts(1).TxPackets);

        HostGro.Set(_lab.Netns, _peerNames[1], on: true);
        until = DateTime.UtcNow.AddSeconds(2.5);
        while (DateTime.UtcNow < until && !host.Datapath.IsFastPathTarget(1))
        {
            Thread.Sleep(50);
        }
        Assert.True(host.Datapath.IsFastPathTarget(1));
        Assert.Contains("GRO on", host.FastPathOf(_ports[1]));
    }

    [Fact]
    public void StationMoves_WhileInFastPath_NextFramesGoWhereItIsNow()
    {
        using SwitchHost host = Start(3, groOn: [true, true, true]);
        LearnAll(host, 3);
        _peers[0].Send(TestFrames.Numbered(1, 64, Station(1), Station(0)));
        Assert.Equal(1, ReceiveAll(1, 1));

        _peers[2].Send(TestFrames.Numbered(2, 64, Station(0), Station(1))); // station 1 now behind port 2
        Assert.Equal(1, ReceiveAll(0, 1));
        for (int i = 0; i < 20; i++)
        {
            _peers[0].Send(TestFrames.Numbered(10 + i, 64, Station(1), Station(0)));
        }

        Assert.Equal(20, ReceiveAll(2, 20));
        Assert.True(NoneArrives(1));
        host.Datapath.SyncFastPath();
        AssertMapMatchesFdb(host);
    }

    [Fact]
    public void StationMoves_AnnouncedByBroadcast_NextUnicastGoesWhereItIsNowBeforeAnySync()
    {
        using SwitchHost host = Start(3, groOn: [true, true, true]);
        LearnAll(host, 3);
        _peers[0].Send(TestFrames.Numbered(1, 64, Station(1), Station(0)));
        Assert.Equal(1, ReceiveAll(1, 1));
        ulong sentToOld = host.Datapath.FastPathCounts(1).TxPackets;

        _peers[2].Send(TestFrames.Numbered(2, 64, 0xFFFF_FFFF_FFFF, Station(1))); // as a gratuitous ARP would
        Assert.Equal(1, ReceiveAll(0, 1));
        Assert.Equal(1, ReceiveAll(1, 1)); // the flood reaches the old port too
        _peers[0].Send(TestFrames.Numbered(3, 64, Station(1), Station(0)));

        Assert.Equal(1, ReceiveAll(2, 1));
        Assert.True(NoneArrives(1));
        Assert.Equal(sentToOld, host.Datapath.FastPathCounts(1).TxPackets);
    }

    [Fact]
    public void Ageing_StationOnlyInFastPath_StaysWhileTalkingGoesWhenSilent()
    {
        using SwitchHost host = Start(2, groOn: [true, true], ageingSeconds: 3);
        LearnAll(host, 2);
        ulong inKernel0 = host.Datapath.FastPathCounts(0).RxPackets, inKernel1 = host.Datapath.FastPathCounts(1).RxPackets;

        int sent = 0;
        for (DateTime until = DateTime.UtcNow.AddSeconds(7); DateTime.UtcNow < until; sent++)
        {
            _peers[0].Send(TestFrames.Numbered(sent, 64, Station(1), Station(0)));
            _peers[1].Send(TestFrames.Numbered(sent, 64, Station(0), Station(1)));
            Thread.Sleep(200);
        }

        // Every frame crossed in the kernel: the program counts a frame before it redirects it, so once all have
        // arrived its counters are final (the poll loop's own count is written after it sends, so it may lag).
        Assert.Equal(sent, ReceiveAll(1, sent));
        Assert.Equal(sent, ReceiveAll(0, sent));
        Assert.Equal((ulong)sent, host.Datapath.FastPathCounts(0).RxPackets - inKernel0);
        Assert.Equal((ulong)sent, host.Datapath.FastPathCounts(1).RxPackets - inKernel1);
        Assert.Equal(2, FdbKeys(host).Count);
        Thread.Sleep(TimeSpan.FromSeconds(6));
        Assert.Empty(FdbKeys(host));
        AssertMapMatchesFdb(host);
    }

    [Fact]
    public void RemovePort_WhileItsStationIsInMap_NoRedirectToItAfter()
    {
        using SwitchHost host = Start(3, groOn: [true, true, true]);
        LearnAll(host, 3);
        ulong sentBefore = host.Datapath.FastPathCounts(1).TxPackets;

        host.RemovePort(_ports[1]);
        _peers[0].Send(TestFrames.Numbered(1, 64, Station(1), Station(0)));

        Assert.Equal(1, ReceiveAll(2, 1)); // unknown now: flooded by the poll loop to what is left
        Assert.Equal(sentBefore, host.Datapath.FastPathCounts(1).TxPackets);
        host.Datapath.SyncFastPath();
        AssertMapMatchesFdb(host);
        Assert.DoesNotContain(FdbKey.Make(Station(1), 0), host.Datapath.FastPathMaps!.Keys());
    }

    [Fact]
    public void Isolated_BothEnds_NeverRedirectedOtherPortsStillAre()
    {
        using SwitchHost host = Start(3, groOn: [true, true, true]);
        LearnAll(host, 3);
        var isolated = new PortPolicy(PortFlags.Default | PortFlags.Isolated);
        host.Datapath.SetPortPolicy(_ports[0], isolated);
        host.Datapath.SetPortPolicy(_ports[1], isolated);

        for (int i = 0; i < 20; i++)
        {
            _peers[0].Send(TestFrames.Numbered(i, 64, Station(1), Station(0)));
        }
        Assert.True(NoneArrives(1));
        Assert.Equal(0UL, host.Datapath.FastPathCounts(1).TxPackets);

        // Sent after the poll loop has dropped the others: a frame behind one in user space is not redirected.
        for (int i = 0; i < 20; i++)
        {
            _peers[0].Send(TestFrames.Numbered(i, 64, Station(2), Station(0)));
        }
        Assert.Equal(20, ReceiveAll(2, 20));
        Assert.Equal(20UL, host.Datapath.FastPathCounts(2).TxPackets);
    }

    [Fact]
    public void PolicyShutdown_Port_NeitherSendsNorReceivesInKernelUntilEnabled()
    {
        using SwitchHost host = Start(3, groOn: [true, true, true]);
        LearnAll(host, 3);
        ulong before = host.Datapath.FastPathCounts(1).RxPackets + host.Datapath.FastPathCounts(1).TxPackets;

        host.Datapath.States.MarkDown(1, PolicyShutdown.BpduGuard); // as a poll loop does, between two ticks
        _peers[1].Send(TestFrames.Numbered(1, 64, Station(2), Station(1)));
        Assert.True(NoneArrives(2));
        _peers[0].Send(TestFrames.Numbered(2, 64, Station(1), Station(0)));
        Assert.True(NoneArrives(1));
        ReceiveAll(2, 1); // the poll loop floods it: its egress is down
        Assert.Equal(before, host.Datapath.FastPathCounts(1).RxPackets + host.Datapath.FastPathCounts(1).TxPackets);
        Assert.False(host.Datapath.IsFastPathTarget(1));
        host.Datapath.SyncFastPath(); // the tick
        Assert.DoesNotContain(FdbKey.Make(Station(1), 0), host.Datapath.FastPathMaps!.Keys());

        Assert.True(host.Datapath.EnablePort(_ports[1]));
        AssertReturnsToFastPath(host, from: 0, to: 1, firstSequence: 3);
    }

    [Fact]
    public void BpduGuard_BpduArrives_PortLeavesTheKernelPathWithTheNextFrameNotTheNextTick()
    {
        using SwitchHost host = Start(3, groOn: [true, true, true]);
        LearnAll(host, 3);
        host.Datapath.SetPortPolicy(_ports[1], new PortPolicy(PortFlags.Default | PortFlags.BpduGuard));
        ulong before = host.Datapath.FastPathCounts(1).RxPackets + host.Datapath.FastPathCounts(1).TxPackets;

        _peers[1].Send(TestFrames.StpBpdu(Station(1), TestFrames.Marker("bpdu")));
        DateTime until = DateTime.UtcNow.AddSeconds(2);
        while (!host.Datapath.States.IsFailed(1) && DateTime.UtcNow < until)
        {
            Thread.Sleep(1);
        }
        Assert.True(host.Datapath.States.IsFailed(1));
        _peers[1].Send(TestFrames.Numbered(1, 64, Station(2), Station(1)));
        Assert.True(NoneArrives(2));
        _peers[0].Send(TestFrames.Numbered(2, 64, Station(1), Station(0)));
        Assert.True(NoneArrives(1));
        Assert.Equal(before, host.Datapath.FastPathCounts(1).RxPackets + host.Datapath.FastPathCounts(1).TxPackets);
    }

    [Fact]
    public void Mirror_SourcePort_LeavesTheFastPathSoEveryFrameIsCopiedThenReturns()
    {
        using SwitchHost host = Start(3, groOn: [true, true, true]);
        LearnAll(host, 3);

        host.Datapath.AddMirror(new MirrorSpec("span", [_ports[0]], MirrorDirection.Both, _ports[2]));
        ulong before = host.Datapath.FastPathCounts(1).TxPackets;
        _peers[0].Send(TestFrames.Numbered(1, 64, Station(1), Station(0)));
        Assert.Equal(1, ReceiveAll(1, 1));
        Assert.Equal(1, ReceiveAll(2, 1)); // the rx copy: the frame met the poll loop
        Assert.Equal(before, host.Datapath.FastPathCounts(1).TxPackets);
        Assert.False(host.Datapath.IsFastPathTarget(0));
        Assert.False(host.Datapath.IsFastPathTarget(2));
        Assert.DoesNotContain(FdbKey.Make(Station(0), 0), host.Datapath.FastPathMaps!.Keys());

        Assert.True(host.Datapath.RemoveMirror("span"));
        AssertReturnsToFastPath(host, from: 0, to: 1, firstSequence: 2);
    }

    [Fact]
    public void Map_AfterPortAddFdbAddDelFlushAndAgeingChange_MatchesFdbShow()
    {
        using SwitchHost host = Start(2, groOn: [true, true]);
        LearnAll(host, 2);
        AssertMapMatchesFdb(host);

        (string added, _) = _lab.AddVeth("p2");
        host.AddPort(added);
        host.Datapath.Fdb.AddStatic(FdbKey.Make(Station(7), 0), host.Datapath.PortId(added));
        host.Datapath.SyncFastPath();
        AssertMapMatchesFdb(host);

        host.Datapath.Fdb.Remove(FdbKey.Make(Station(0), 0));
        host.Datapath.SyncFastPath();
        AssertMapMatchesFdb(host);

        host.Datapath.Fdb.FlushAll();
        host.Datapath.SyncFastPath();
        AssertMapMatchesFdb(host);
        Assert.Single(host.Datapath.FastPathMaps!.Keys()); // the static entry stays

        host.Datapath.AgeingTimeSeconds = 1;
        host.RemovePort(added);
        host.Datapath.Housekeeping();
        AssertMapMatchesFdb(host);
        Assert.Empty(host.Datapath.FastPathMaps!.Keys());
    }

    /// <param name="vlanFiltering">A VLAN-aware switch, and peers that receive frames with their tags.</param>
    private SwitchHost Start(int ports, bool[] groOn, uint ageingSeconds = 300, bool vlanFiltering = false)
    {
        for (int i = 0; i < ports; i++)
        {
            (string port, string peer) = _lab.AddVeth("p" + i);
            HostGro.Set(_lab.Netns, peer, groOn[i]);
            _ports.Add(port);
            _peers.Add(_lab.OpenPeer(peer, keepTags: vlanFiltering));
            _peerNames.Add(peer);
        }
        var options = new DatapathOptions(AgeingTimeSeconds: ageingSeconds, VlanFiltering: vlanFiltering);
        return SwitchHost.Start(_ports, options, fastPath: FastPathMode.On);
    }

    /// <summary>Each peer i sends once as Station(i) to the broadcast address (learned by the poll loop), then the map is written.</summary>
    private void LearnAll(SwitchHost host, int count)
    {
        for (int i = 0; i < count; i++)
        {
            _peers[i].Send(TestFrames.Numbered(1000 + i, 64, 0xFFFF_FFFF_FFFF, Station(i)));
            for (int other = 0; other < count; other++)
            {
                if (other != i)
                {
                    ReceiveAll(other, 1);
                }
            }
        }
        host.Datapath.SyncFastPath();
        AssertMapMatchesFdb(host);
        WaitNothingInUserSpace(host);
    }

    /// <summary>
    /// Until the poll loop has reported the learning frames sent (microseconds after a peer received them): a frame
    /// sent before that takes the poll loop behind them, and so does every frame of a burst it keeps up with.
    /// </summary>
    private static void WaitNothingInUserSpace(SwitchHost host) =>
        Assert.True(SpinWait.SpinUntil(() => !host.Datapath.FastPathMaps!.AnyWaiting(), 2000), "frames kept waiting in user space");

    /// <summary>
    /// Sends numbered frames from peer <paramref name="from"/> to the station behind <paramref name="to"/>, each of which
    /// must arrive, until one crosses in the kernel (port to's fast-path TX count moves), within 2 s and 200 frames. A
    /// port is back in the fast path once the frames it handed to the poll loop have left (FastPathMaps.Drains.cs):
    /// at once on a quiet machine, a report or two later on a loaded one, so the frames in between take the loop.
    /// </summary>
    private void AssertReturnsToFastPath(SwitchHost host, int from, int to, int firstSequence)
    {
        ulong sent = host.Datapath.FastPathCounts(to).TxPackets;
        var until = DateTime.UtcNow.AddSeconds(2);
        for (int sequence = firstSequence; host.Datapath.FastPathCounts(to).TxPackets == sent; sequence++)
        {
            Assert.True(DateTime.UtcNow < until && sequence < firstSequence + 200, $"no frame crossed in the kernel in {sequence - firstSequence} frames");
            _peers[from].Send(TestFrames.Numbered(sequence, 64, Station(to), Station(from)));
            Assert.Equal(1, ReceiveAll(to, 1));
        }
        Assert.Equal(sent + 1, host.Datapath.FastPathCounts(to).TxPackets);
    }

    private int ReceiveAll(int peer, int expected) => Receive(peer, expected).Count;

    /// <summary>
    /// Whether no test frame reaches <paramref name="peer"/> within 300 ms. Only absence waits this short: a frame that
    /// should come gets 2 s, as the poll loop of a loaded 2-core machine once took over 300 ms to forward one.
    /// </summary>
    private bool NoneArrives(int peer) => _peers[peer].ReceiveTest(300) is null;

    /// <summary>Up to <paramref name="expected"/> frames, in the order they came, waiting up to 2 s for each.</summary>
    private List<byte[]> Receive(int peer, int expected)
    {
        var frames = new List<byte[]>();
        while (frames.Count < expected && _peers[peer].ReceiveTest(2000) is byte[] frame)
        {
            frames.Add(frame);
        }
        return frames;
    }

    private static List<FdbEntry> FdbKeys(SwitchHost host)
    {
        var entries = new List<FdbEntry>();
        host.Datapath.Fdb.CopyTo(entries);
        return entries;
    }

    /// <summary>The FDB map holds exactly the FDB's keys (VLANs included), each on its entry's port.</summary>
    private static void AssertMapMatchesFdb(SwitchHost host)
    {
        FastPathMaps maps = host.Datapath.FastPathMaps!;
        List<FdbEntry> fdb = FdbKeys(host);
        Assert.Equal(fdb.Select(e => e.Key).Order(), maps.Keys().Order());
        foreach (FdbEntry entry in fdb)
        {
            Assert.True(maps.TryRead(entry.Key, out FastPathEntry mirrored));
            Assert.Equal((uint)entry.Port, mirrored.Port);
        }
    }
}
