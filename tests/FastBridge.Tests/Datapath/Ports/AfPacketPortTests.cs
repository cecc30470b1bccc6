// Integration tests of the AF_PACKET backend on a veth pair: the port sits on the host end, the far
// end lives in a namespace and is driven by a plain raw socket (or a second port). Every loop is
// bounded by a count and a deadline.
using System.Globalization;
using System.Runtime.InteropServices;
using FastBridge.ControlPlane.Lab;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Frames;
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Ports;
using FastBridge.Datapath.Common;
using FastBridge.Tests.Datapath.Forwarding;
using Tmds.Linux;

namespace FastBridge.Tests.Datapath.Ports;

public sealed unsafe class AfPacketPortTests
{
    private static readonly AfPacketOptions s_options = new(RxBlockCount: 8, TxFrameCount: 256);

    [Theory]
    [InlineData(1500, 1518)]
    [InlineData(9000, 9018)]
    public void MaxFrameLength_Mtu_IsMtuPlusHeaderPlusOneTag(int mtu, int expected)
    {
        using VethLab lab = VethLab.Create(mtu);
        using var port = new AfPacketPort(NetInterface.Inspect(lab.Host), s_options);
        Assert.Equal(expected, port.MaxFrameLength);
        Assert.Equal(expected - 4, port.MaxUntaggedFrameLength); // packet_snd gives the tag's 4 bytes to 802.1Q frames only
    }

    [Fact]
    public void Forward_UntaggedAnd8021adPastMtuPlus14_CountedTooBig8021QSent()
    {
        using VethLab lab = VethLab.Create();
        using var port = new AfPacketPort(NetInterface.Inspect(lab.Host), s_options);
        using RawSocket far = RawSocket.OpenIn(lab.Netns, lab.Peer, IfPacket.EthPAll);
        byte[] untagged = TestFrames.Numbered(0, 1518);
        byte[] qinq = TestFrames.Numbered(1, 1518);
        qinq[12] = 0x88; qinq[13] = 0xA8;
        byte[] dot1q = TestFrames.Numbered(2, 1518);
        dot1q[12] = 0x81; dot1q[13] = 0x00;

        LoopCounters counters = ForwardTo(port, untagged, qinq, dot1q);

        Assert.Equal(2UL, counters.Ports[1].Drops[(int)DropReason.TooBig]);
        // The receiving stack takes the 802.1Q tag out of the bytes: 1514 arrive. The peer may also see its own IPv6 chatter.
        var ours = new List<int>();
        while (far.Receive(500) is { } frame)
        {
            if (frame.Length >= 12 && FastBridge.Datapath.Frames.MacAddress.Read(frame.AsSpan(6, 6)) == 0x02BB_0000_0002)
            {
                ours.Add(frame.Length);
            }
        }
        Assert.Equal([1514], ours);
    }

    [Fact]
    public void Receive_TwoHundredFramesTricklingInWhileNotRead_AllKept()
    {
        // The kernel retires a receive block after 1 ms however few frames it holds: at low rates the default ring
        // must hold at least one block per frame a stalled loop misses. 200 frames at about one per ms: each may
        // take a block of its own.
        using VethLab lab = VethLab.Create();
        using var port = new AfPacketPort(NetInterface.Inspect(lab.Host), new AfPacketOptions());
        using RawSocket far = lab.OpenPeer();
        for (int i = 0; i < 200; i++)
        {
            far.Send(TestFrames.Numbered(i, 64));
            Thread.Sleep(1);
        }
        Thread.Sleep(20);

        var batch = new FrameBatch();
        int received = 0;
        for (int attempt = 0; attempt < 100 && received < 200; attempt++)
        {
            batch.Clear();
            port.Receive(batch);
            for (int i = 0; i < batch.Count; i++)
            {
                received += TestFrames.IsTest(batch[i].Bytes) ? 1 : 0;
            }
            port.ReleaseReceived();
        }
        ulong[] drops = new ulong[DropReasons.Count];
        port.AddBackendDrops(drops);
        Assert.Equal((200, 0UL), (received, drops[(int)DropReason.RxRingFull]));
    }

    [Fact]
    public void Transmit_FrameTheKernelRefuses_SkippedWithoutStallingTheRing()
    {
        using VethLab lab = VethLab.Create();
        using var port = new AfPacketPort(NetInterface.Inspect(lab.Host), s_options);
        // Lowered under the open port: its size rule still allows 1514 bytes, the kernel now refuses past 1414.
        VethLab.Ip("link", "set", lab.Host, "mtu", "1400");
        using RawSocket far = lab.OpenPeer();
        byte[][] frames = [TestFrames.Numbered(0, 1500), .. Enumerable.Range(1, 10).Select(i => TestFrames.Numbered(i, 64))];
        using var native = new NativeFrames(frames);

        TransmitAll(port, native);

        // Without PACKET_LOSS the kernel marks the refused slot TP_STATUS_WRONG_FORMAT and sends nothing after it.
        int arrived = 0;
        while (arrived < 10 && far.Receive(2000) is { } frame)
        {
            Assert.Equal(64, frame.Length);
            arrived++;
        }
        Assert.Equal(10, arrived);
    }

    [Fact]
    public void Receive_FrameSentIntoPeer_ArrivesWithSameBytes()
    {
        using VethLab lab = VethLab.Create();
        using var port = new AfPacketPort(NetInterface.Inspect(lab.Host), s_options);
        using RawSocket far = lab.OpenPeer();
        byte[] sent = TestFrames.Numbered(7, 300);

        far.Send(sent);
        (byte[] bytes, ushort tpid, ushort tci) = ReceiveTestFrame(port);

        Assert.Equal(sent, bytes);
        Assert.Equal((0, 0), (tpid, tci));
    }

    [Theory]
    [InlineData(0x8100, 0x2064)]   // 802.1Q, priority 1, VLAN 100
    [InlineData(0x88A8, 0x0FFE)]   // 802.1ad S-tag, VLAN 4094
    public void Receive_TaggedFrame_TagInMetadataAndTransmitReinsertsIt(ushort tpid, ushort tci)
    {
        using VethLab lab = VethLab.Create();
        using var port = new AfPacketPort(NetInterface.Inspect(lab.Host), s_options);
        AfPacketPort? farPort = null;
        Namespaces.RunIn(lab.Netns, () => farPort = new AfPacketPort(new NetInterfaceInfo(lab.Peer, (int)LibcExtras.if_nametoindex(lab.Peer), 1500, 0, true), s_options));
        using AfPacketPort far = farPort!;
        using RawSocket farSender = lab.OpenPeer();
        byte[] untagged = TestFrames.Numbered(1, 200);

        farSender.Send(TestFrames.Tagged(untagged, tpid, tci));
        var batch = new FrameBatch();
        int index = PortReceive.TestFrame(port, batch);
        Assert.Equal((tpid, tci), (batch[index].StrippedTpid, batch[index].StrippedTci));
        Assert.Equal(new VlanTag(tpid, tci), batch[index].OuterTag);
        Assert.Equal(untagged, batch[index].Bytes.ToArray());
        Assert.Equal(1, port.Transmit(batch, [index]));
        port.Flush();
        port.ReleaseReceived();

        // The far kernel can only strip the tag into metadata again if it sat, whole, after the MACs.
        (byte[] bytes, ushort farTpid, ushort farTci) = ReceiveTestFrame(far);
        Assert.Equal(untagged, bytes);
        Assert.Equal((tpid, tci), (farTpid, farTci));
    }

    [Fact]
    public void Transmit_1000Frames_ArriveIntactAndInOrder()
    {
        const int Count = 1000;
        using VethLab lab = VethLab.Create();
        using var port = new AfPacketPort(NetInterface.Inspect(lab.Host), s_options);
        using RawSocket far = lab.OpenPeer();
        byte[][] frames = Enumerable.Range(0, Count).Select(i => TestFrames.Numbered(i, 60 + i * 37 % 1455)).ToArray();
        using var native = new NativeFrames(frames);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        int next = 0;
        Span<int> indices = stackalloc int[Bursts.DefaultFrames];
        var batch = new FrameBatch();
        while (next < Count && DateTime.UtcNow < deadline)
        {
            batch.Clear();
            int burst = Math.Min(batch.Capacity, Count - next);
            for (int i = 0; i < burst; i++)
            {
                native.AddTo(batch, next + i);
                indices[i] = i;
            }
            next += port.Transmit(batch, indices[..burst]);
            port.Flush();
        }
        Assert.Equal(Count, next);

        for (int i = 0; i < Count; i++)
        {
            byte[]? got = far.Receive(timeoutMs: 2000);
            Assert.True(got is not null, $"frame {i} did not arrive");
            Assert.Equal(frames[i], got);
        }
    }

    [Fact]
    public void Receive_SmallBatchesAcrossBlocks_EveryFrameOnceInOrder()
    {
        const int Count = 60;
        using VethLab lab = VethLab.Create();
        // One-page blocks hold three 1000-byte frames; batches of 2 end inside blocks and span them.
        using var port = new AfPacketPort(NetInterface.Inspect(lab.Host), new AfPacketOptions(RxBlockSize: 4096, RxBlockCount: 64, TxFrameCount: 64));
        using RawSocket far = lab.OpenPeer();
        for (int i = 0; i < Count; i++)
        {
            far.Send(TestFrames.Numbered(i, 1000));
        }

        var received = new List<int>();
        var batch = new FrameBatch(2);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (received.Count < Count && DateTime.UtcNow < deadline)
        {
            batch.Clear();
            int count = port.Receive(batch);
            Assert.True(count >= 0, $"Receive failed: {count}");
            for (int i = 0; i < count; i++)
            {
                if (TestFrames.IsTest(batch[i].Bytes))
                {
                    Assert.Equal(TestFrames.Numbered(TestFrames.Sequence(batch[i].Bytes), 1000), batch[i].Bytes.ToArray());
                    received.Add(TestFrames.Sequence(batch[i].Bytes));
                }
            }
            port.ReleaseReceived();
            if (count == 0)
            {
                Thread.Sleep(1);
            }
        }
        Assert.Equal(Enumerable.Range(0, Count), received);
    }

    [Fact]
    public void ReceiveAndTransmit_SteadyState_AllocateNothing()
    {
        using VethLab lab = VethLab.Create();
        using var port = new AfPacketPort(NetInterface.Inspect(lab.Host), s_options);
        AfPacketPort? farPort = null;
        Namespaces.RunIn(lab.Netns, () => farPort = new AfPacketPort(new NetInterfaceInfo(lab.Peer, (int)LibcExtras.if_nametoindex(lab.Peer), 1500, 0, true), s_options));
        using AfPacketPort far = farPort!;
        using var native = new NativeFrames([TestFrames.Tagged(TestFrames.Numbered(0, 100), 0x8100, 5)]);
        var txBatch = new FrameBatch();
        native.AddTo(txBatch, 0);
        txBatch[0].StrippedTpid = 0x8100;
        txBatch[0].StrippedTci = 7;
        var rxBatch = new FrameBatch();
        int[] indices = [0];
        int received = 0;

        void Round()
        {
            port.Transmit(txBatch, indices);
            port.Flush();
            rxBatch.Clear();
            int count = far.Receive(rxBatch);
            received += Math.Max(count, 0);
            far.ReleaseReceived();
        }

        for (int i = 0; i < 200; i++)
        {
            Round();
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 2000; i++)
        {
            Round();
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(received > 0, "nothing crossed the pair");
    }

    [Fact]
    public void Forward_FrameLongerThanMaxAndRunt_HeldBackAndCountedOnce()
    {
        using VethLab lab = VethLab.Create();
        using var port = new AfPacketPort(NetInterface.Inspect(lab.Host), s_options);

        LoopCounters counters = ForwardTo(port, TestFrames.Numbered(0, port.MaxFrameLength + 1), TestFrames.Numbered(1, 64), new byte[10]);

        Assert.Equal(1UL, counters.Ports[1].Drops[(int)DropReason.TooBig]);
        Assert.Equal(1UL, counters.Ports[0].Drops[(int)DropReason.Runt]);
        Assert.Equal(1UL, counters.Ports[1].TxPackets);
        ulong[] backend = new ulong[DropReasons.Count];
        port.AddBackendDrops(backend);
        Assert.Equal((0UL, 0UL), (backend[(int)DropReason.TooBig], backend[(int)DropReason.Runt]));
    }

    [Fact]
    public void Constructor_OpenAndDispose_PromiscuousOnlyWhileOpen()
    {
        using VethLab lab = VethLab.Create();
        Assert.False(IsPromiscuous(lab.Host));
        var port = new AfPacketPort(NetInterface.Inspect(lab.Host), s_options);
        bool whileOpen = IsPromiscuous(lab.Host);
        port.Dispose();
        Assert.True(whileOpen);
        Assert.False(IsPromiscuous(lab.Host));
    }

    [Fact]
    public void Receive_InterfaceDeleted_ReturnsNegativeErrno()
    {
        using VethLab lab = VethLab.Create();
        using var port = new AfPacketPort(NetInterface.Inspect(lab.Host), s_options);
        var batch = new FrameBatch();
        VethLab.Ip("link", "del", lab.Host);

        int result = 0;
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (result >= 0 && DateTime.UtcNow < deadline)
        {
            batch.Clear();
            result = port.Receive(batch);
            port.ReleaseReceived();
            Thread.Sleep(1);
        }
        Assert.Equal(-LibC.ENETDOWN, result);
    }

    [Fact]
    public void AddBackendDrops_RingOverrunAndTruncation_CountedAndKeptAcrossReads()
    {
        using VethLab lab = VethLab.Create(mtu: 9000);
        // No IPv6 chatter from the peer: it could fill both blocks before the 6000-byte frame comes (rx_ring_full, not truncated).
        VethLab.Ip("netns", "exec", lab.Netns, "sysctl", "-qw", $"net.ipv6.conf.{lab.Peer}.disable_ipv6=1");
        // Two one-page blocks: a 6000-byte frame cannot fit a block (truncated), and 200 frames overrun the ring.
        using var port = new AfPacketPort(NetInterface.Inspect(lab.Host), new AfPacketOptions(RxBlockSize: 4096, RxBlockCount: 2, TxFrameCount: 64));
        using RawSocket far = lab.OpenPeer();
        far.Send(TestFrames.Numbered(0, 6000));
        Thread.Sleep(20);
        var batch = new FrameBatch();
        port.Receive(batch);
        port.ReleaseReceived();
        for (int i = 0; i < 200; i++)
        {
            far.Send(TestFrames.Numbered(i, 1000));
        }

        ulong[] first = new ulong[DropReasons.Count];
        port.AddBackendDrops(first);
        ulong[] second = new ulong[DropReasons.Count];
        port.AddBackendDrops(second);

        Assert.Equal(1UL, first[(int)DropReason.TooBig]);
        Assert.True(first[(int)DropReason.RxRingFull] > 0, "no ring overrun counted");
        Assert.Equal(first[(int)DropReason.RxRingFull], second[(int)DropReason.RxRingFull]);
    }

    [Fact]
    public void Constructor_TwoPortsInOneFanoutGroup_BothOpen()
    {
        using VethLab lab = VethLab.Create();
        NetInterfaceInfo info = NetInterface.Inspect(lab.Host);
        var options = s_options with { FanoutGroup = (ushort)(0x4000 + Random.Shared.Next(0x3FFF)) };
        using var first = new AfPacketPort(info, options);
        using var second = new AfPacketPort(info, options);
        Assert.NotEqual(first.PollFd, second.PollFd);
    }

    [Fact]
    public void Constructor_BadOptions_ThrowsNamingInterface()
    {
        using VethLab lab = VethLab.Create();
        var ex = Assert.Throws<ArgumentException>(() => new AfPacketPort(NetInterface.Inspect(lab.Host), new AfPacketOptions(RxBlockSize: 1000)));
        Assert.Contains(lab.Host, ex.Message, StringComparison.Ordinal);
    }

    private static bool IsPromiscuous(string ifName) =>
        (int.Parse(File.ReadAllText($"/sys/class/net/{ifName}/flags").Trim()[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture) & Netdevice.IffPromisc) != 0;

    private static (byte[] Bytes, ushort Tpid, ushort Tci) ReceiveTestFrame(AfPacketPort port)
    {
        var batch = new FrameBatch();
        int index = PortReceive.TestFrame(port, batch);
        var result = (batch[index].Bytes.ToArray(), batch[index].StrippedTpid, batch[index].StrippedTci);
        port.ReleaseReceived();
        return result;
    }

    /// <summary>
    /// Forwards <paramref name="frames"/> in one burst from an in-memory port (id 0) to <paramref name="port"/> (id 1)
    /// through the forwarder, which holds back what the port cannot send; returns the forwarder's counters.
    /// </summary>
    private static LoopCounters ForwardTo(AfPacketPort port, params byte[][] frames)
    {
        using var ingress = new MemoryPort("in");
        foreach (byte[] frame in frames)
        {
            ingress.Inject(frame);
        }
        var batch = new FrameBatch();
        ingress.Receive(batch);
        return SingleBurst.Forward(batch, 0, ingress, port);
    }

    /// <summary>Transmits every frame of <paramref name="native"/> in one burst (all must be consumed), kicks, and returns the port's drops.</summary>
    private static ulong[] TransmitAll(AfPacketPort port, NativeFrames native)
    {
        var batch = new FrameBatch();
        for (int i = 0; i < native.Count; i++)
        {
            native.AddTo(batch, i);
        }
        Assert.Equal(native.Count, port.Transmit(batch, [.. Enumerable.Range(0, native.Count)]));
        port.Flush();
        ulong[] drops = new ulong[DropReasons.Count];
        port.AddBackendDrops(drops);
        return drops;
    }

    /// <summary>Test frames copied to native memory, as a backend's frames would be.</summary>
    private sealed class NativeFrames : IDisposable
    {
        private readonly byte*[] _data;
        private readonly int[] _lengths;

        public NativeFrames(byte[][] frames)
        {
            _data = new byte*[frames.Length];
            _lengths = new int[frames.Length];
            for (int i = 0; i < frames.Length; i++)
            {
                _data[i] = (byte*)NativeMemory.Alloc((nuint)frames[i].Length);
                frames[i].CopyTo(new Span<byte>(_data[i], frames[i].Length));
                _lengths[i] = frames[i].Length;
            }
        }

        public int Count => _data.Length;

        public void AddTo(FrameBatch batch, int frame) => batch.Add(_data[frame], _lengths[frame]);

        public void Dispose()
        {
            foreach (byte* p in _data)
            {
                NativeMemory.Free(p);
            }
        }
    }
}
