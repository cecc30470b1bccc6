// AfXdpPort with jumbo MTUs on real veth pairs (multi-buffer AF_XDP, kernel 6.6+): a 9000-byte frame
// arrives as a chain of descriptors and is handed on whole from a scratch slot, frames of every size up to
// the MTU cross between two 9000-MTU ports byte-identical (by descriptor when they fit one UMEM frame, by
// a split copy when not), frames too long for the egress port or beyond the scratch slots are dropped and
// counted, the kernel refused no descriptor, and every UMEM frame is accounted for afterwards.
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Ports;
using FastBridge.Datapath.Xdp;
using FastBridge.Tests.Datapath.Forwarding;

namespace FastBridge.Tests.Datapath.Ports;

public sealed unsafe class AfXdpJumboTests
{
    private const int JumboMtu = 9000;

    /// <summary>The longest untagged frame a 9000-MTU veth sends (AF_PACKET allows MTU + header).</summary>
    private const int LongestFrame = JumboMtu + 14;

    [Theory]
    [InlineData(XdpAttachMode.Native)]
    [InlineData(XdpAttachMode.Generic)]
    public void Receive_9000ByteFrame_ArrivesWholeOutsideTheUmem(XdpAttachMode mode)
    {
        using var lab = new XdpPortLab(1, mode, mtus: [JumboMtu]);
        Assert.Equal(mode, lab.Mode);
        byte[] sent = TestFrames.Numbered(9, 9000);

        var batch = new FrameBatch();
        int index = lab.SendThroughPeer(0, sent, batch);

        Assert.Equal(sent, batch[index].Bytes.ToArray());
        Assert.Equal(ulong.MaxValue, lab.Umem.OffsetOf(batch[index].Data)); // gathered into a scratch slot
        lab.Ports[0].ReleaseReceived();
        Assert.True(lab.Quiesce());
        lab.AssertAccountingAtRest();
        Assert.Equal(s_noDrops, Drops(lab.Ports[0]));
    }

    [Theory]
    [InlineData(XdpAttachMode.Native)]
    [InlineData(XdpAttachMode.Generic)]
    public void Forward_SizesUpToTheMtu_ByteIdenticalBetweenJumboPorts(XdpAttachMode mode)
    {
        // Both sides of each boundary: one RX frame (3840), one TX frame (4096), two and three RX frames, the MTU.
        int[] edges = [60, 1514, 3839, 3840, 3841, 4096, 4097, 7680, 7681, 8192, 8193, 9000, LongestFrame];
        var random = new Random(9000);
        int[] lengths = [.. edges, .. Enumerable.Range(0, 200).Select(_ => random.Next(1500, LongestFrame + 1))];
        byte[][] frames = lengths.Select((length, i) => TestFrames.Numbered(i, length)).ToArray();
        using var lab = new XdpPortLab(2, mode, mtus: [JumboMtu, JumboMtu]);

        List<byte[]> received = lab.Forward(0, 1, frames);

        Assert.Equal(frames.Length, received.Count);
        for (int i = 0; i < frames.Length; i++)
        {
            Assert.True(frames[i].AsSpan().SequenceEqual(received[i]), $"frame {i} ({frames[i].Length} bytes) arrived as {received[i].Length} different bytes");
        }
        AfXdpPort b = lab.Ports[1];
        int single = lengths.Count(l => l <= XdpPortLab.SingleBufferFrame);
        Assert.Equal(((ulong)single, (ulong)(lengths.Length - single)), (b.ZeroCopyTransmits, b.CopiedTransmits));
        Assert.True(lab.Quiesce());
        lab.AssertAccountingAtRest();
        Assert.Equal(s_noDrops, Drops(lab.Ports[0]));
        Assert.Equal(s_noDrops, Drops(b)); // tx_refused is the kernel's tx_invalid_descs
    }

    [Fact]
    public void Forward_JumboFrameToA1500MtuPort_HeldBackAndCountedTooBigOnce()
    {
        using var lab = new XdpPortLab(2, mtus: [JumboMtu, 1500]);
        byte[] jumbo = TestFrames.Numbered(1, 9000);

        var batch = new FrameBatch();
        int index = lab.SendThroughPeer(0, jumbo, batch);
        var burst = new FrameBatch(1); // the test frame alone: the peers' own chatter stays out of the counts
        burst.Add(batch[index].Data, batch[index].Length);
        LoopCounters counters = SingleBurst.Forward(burst, 0, lab.Ports[0], lab.Ports[1]);
        lab.Ports[0].ReleaseReceived();

        Assert.Equal(1UL, counters.Ports[1].Drops[(int)DropReason.TooBig]);
        Assert.Equal(s_noDrops, Drops(lab.Ports[1]));
        Assert.Equal((0UL, 0UL), (lab.Ports[1].ZeroCopyTransmits, lab.Ports[1].CopiedTransmits));
        Assert.True(lab.Quiesce());
        lab.AssertAccountingAtRest();
    }

    [Fact]
    public void Receive_MoreChainsThanScratchSlots_RestDroppedAsRxRingFull()
    {
        using var lab = new XdpPortLab(1, mtus: [JumboMtu], scratchFrames: 2);
        using RawSocket far = lab.OpenPeer(0);
        for (int i = 0; i < 5; i++)
        {
            far.Send(TestFrames.Numbered(i, 8000));
        }
        Thread.Sleep(100); // all five in the RX ring before the one Receive

        var batch = new FrameBatch();
        int n = lab.Ports[0].Receive(batch);

        int[] sequences = Enumerable.Range(0, n).Where(i => TestFrames.IsTest(batch[i].Bytes)).Select(i => TestFrames.Sequence(batch[i].Bytes)).ToArray();
        Assert.Equal([0, 1], sequences);
        Assert.Equal(3UL, Drops(lab.Ports[0])[(int)DropReason.RxRingFull]);
        lab.Ports[0].ReleaseReceived();
        Assert.True(lab.Quiesce());
        lab.AssertAccountingAtRest();
    }

    [Fact]
    public void Transmit_ForeignJumboFrameWithStrippedTag_SplitWithTagReinserted()
    {
        using var lab = new XdpPortLab(1, mtus: [JumboMtu]);
        using RawSocket far = lab.OpenPeer(0);
        byte[] untagged = TestFrames.Numbered(4, LongestFrame);
        var batch = new FrameBatch();
        fixed (byte* data = untagged)
        {
            batch.Add(data, untagged.Length, 0x8100, 0x0064);
            Assert.Equal(1, lab.Ports[0].Transmit(batch, [0]));
        }
        lab.Ports[0].Flush();

        // The far raw socket sees the frame with the tag taken out again by its kernel: the bytes that were sent.
        Assert.Equal(untagged, far.ReceiveTest(2000));
        Assert.Equal((0UL, 1UL), (lab.Ports[0].ZeroCopyTransmits, lab.Ports[0].CopiedTransmits));
        Assert.True(lab.Quiesce());
        lab.AssertAccountingAtRest();
    }

    [Fact]
    public void Open_JumboMtuOnUmemWithoutMultiBuffer_Refused()
    {
        using var lab = new VethLab();
        (string host, _) = lab.AddVeth("j", JumboMtu);
        NetInterfaceInfo iface = NetInterface.Inspect(host);
        using var umem = new Umem(new UmemOptions(FrameCount: 1024));
        using XdpAttachment attachment = XdpAttachment.Attach(iface, XdpAttachMode.Native, multiBuffer: true);

        var refused = Assert.Throws<PortRefusedException>(() => new AfXdpPort(iface, attachment, umem, 0, new AfXdpOptions(256)));
        Assert.Contains("not multi-buffer", refused.Message, StringComparison.Ordinal);
        Assert.Equal(umem.FrameCount, umem.FreeCount);
    }

    private static readonly ulong[] s_noDrops = new ulong[DropReasons.Count];

    /// <summary>The port's own drops, by reason (what the stats reader adds).</summary>
    private static ulong[] Drops(AfXdpPort port)
    {
        var drops = new ulong[DropReasons.Count];
        port.AddBackendDrops(drops);
        return drops;
    }
}
