// AfXdpPort on real veth pairs with FastBridge's XDP program: frames sent into a peer from a raw socket
// arrive whole on the port, leave another port byte-identical (by descriptor when they can, by copy
// otherwise), and every UMEM frame is accounted for afterwards. Every loop is bounded by a count and a deadline.
using FastBridge.ControlPlane.Lab;
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Ports;
using FastBridge.Datapath.Xdp;
using FastBridge.Datapath.Common;

namespace FastBridge.Tests.Datapath.Ports;

public sealed unsafe class AfXdpPortTests
{
    [Theory]
    [InlineData(XdpAttachMode.Native)]
    [InlineData(XdpAttachMode.Generic)]
    public void Receive_FrameSentIntoPeer_ArrivesWithSameBytes(XdpAttachMode mode)
    {
        using var lab = new XdpPortLab(1, mode);
        byte[] sent = TestFrames.Numbered(7, 300);

        var batch = new FrameBatch();
        int index = lab.SendThroughPeer(0, sent, batch);

        Assert.Equal(sent, batch[index].Bytes.ToArray());
        Assert.Equal(0, batch[index].StrippedTpid);
        lab.Ports[0].ReleaseReceived();
        Assert.True(lab.Quiesce());
        lab.AssertAccountingAtRest();
    }

    [Theory]
    [InlineData(XdpAttachMode.Native)]
    [InlineData(XdpAttachMode.Generic)]
    public void Transmit_UnicastAToB_ZeroCopyAndByteIdentical(XdpAttachMode mode)
    {
        using var lab = new XdpPortLab(2, mode);
        using RawSocket farB = lab.OpenPeer(1);
        AfXdpPort a = lab.Ports[0], b = lab.Ports[1];
        byte[] sent = TestFrames.Numbered(1, 1514);

        var batch = new FrameBatch();
        int index = lab.SendThroughPeer(0, sent, batch);
        Assert.Equal(1, b.Transmit(batch, [index]));
        b.Flush();
        a.ReleaseReceived();

        Assert.Equal(sent, farB.ReceiveTest(2000));
        Assert.Equal((1UL, 0UL), (b.ZeroCopyTransmits, b.CopiedTransmits));
        Assert.True(lab.Quiesce());
        lab.AssertAccountingAtRest();
    }

    [Fact]
    public void Transmit_FloodToTwoPorts_FirstByDescriptorSecondByCopy()
    {
        using var lab = new XdpPortLab(3);
        using RawSocket farB = lab.OpenPeer(1);
        using RawSocket farC = lab.OpenPeer(2);
        byte[] sent = TestFrames.Numbered(2, 100, destination: 0xFFFF_FFFF_FFFF);

        var batch = new FrameBatch();
        int index = lab.SendThroughPeer(0, sent, batch);
        for (int egress = 1; egress <= 2; egress++)
        {
            Assert.Equal(1, lab.Ports[egress].Transmit(batch, [index]));
            lab.Ports[egress].Flush();
        }
        lab.Ports[0].ReleaseReceived();

        Assert.Equal(sent, farB.ReceiveTest(2000));
        Assert.Equal(sent, farC.ReceiveTest(2000));
        Assert.Equal((1UL, 0UL), (lab.Ports[1].ZeroCopyTransmits, lab.Ports[1].CopiedTransmits));
        Assert.Equal((0UL, 1UL), (lab.Ports[2].ZeroCopyTransmits, lab.Ports[2].CopiedTransmits));
        Assert.True(lab.Quiesce());
        lab.AssertAccountingAtRest();
    }

    [Fact]
    public void Transmit_ForeignFrameWithStrippedTag_CopiedWithTagReinserted()
    {
        using var lab = new XdpPortLab(1);
        AfPacketPort? farPort = null;
        Namespaces.RunIn(lab.Lab.Netns, () => farPort = new AfPacketPort(
            new NetInterfaceInfo(lab.Peers[0], (int)LibcExtras.if_nametoindex(lab.Peers[0]), 1500, 0, true), new AfPacketOptions(RxBlockCount: 4, TxFrameCount: 64)));
        using AfPacketPort far = farPort!;
        byte[] untagged = TestFrames.Numbered(3, 200);
        var batch = new FrameBatch();
        fixed (byte* data = untagged)
        {
            batch.Add(data, untagged.Length, 0x8100, 0x0064);
            Assert.Equal(1, lab.Ports[0].Transmit(batch, [0]));
        }
        lab.Ports[0].Flush();

        // The far kernel can only strip the tag into metadata again if it sat, whole, after the MACs.
        var farBatch = new FrameBatch();
        int index = PortReceive.TestFrame(far, farBatch);
        Assert.Equal(untagged, farBatch[index].Bytes.ToArray());
        Assert.Equal((0x8100, 0x0064), (farBatch[index].StrippedTpid, farBatch[index].StrippedTci));
        far.ReleaseReceived();
        Assert.Equal((0UL, 1UL), (lab.Ports[0].ZeroCopyTransmits, lab.Ports[0].CopiedTransmits));
        Assert.True(lab.Quiesce());
        lab.AssertAccountingAtRest();
    }

    [Fact]
    public void Forward_1000Frames_InOrderIntactAndAccountingReturns()
    {
        const int Count = 1000;
        using var lab = new XdpPortLab(2);
        byte[][] frames = Enumerable.Range(0, Count).Select(i => TestFrames.Numbered(i, 60 + i * 37 % 1455)).ToArray();

        Assert.Equal(frames, lab.Forward(0, 1, frames));
        Assert.Equal((ulong)Count, lab.Ports[1].ZeroCopyTransmits);
        Assert.True(lab.Quiesce());
        lab.AssertAccountingAtRest();
        int frameCount = lab.Umem.FrameCount;
        foreach (AfXdpPort port in lab.Ports)
        {
            port.Dispose();
        }
        Assert.Equal(frameCount, lab.Umem.FreeCount);
    }

    [Fact]
    public void Open_TwoQueuesOneUmem_BothBindAndFramesArriveOnOne()
    {
        using var lab = new VethLab();
        (string host, string peer) = lab.AddVeth("q", queues: 2);
        NetInterfaceInfo iface = NetInterface.Inspect(host);
        using var umem = new Umem(new UmemOptions(FrameCount: 4096));
        using XdpAttachment attachment = XdpAttachment.Attach(iface, XdpAttachMode.Native);
        Assert.Equal(2, attachment.QueueCount);
        using var q0 = new AfXdpPort(iface, attachment, umem, 0, new AfXdpOptions(512));
        using var q1 = new AfXdpPort(iface, attachment, umem, 1, new AfXdpOptions(512));
        using RawSocket far = lab.OpenPeer(peer);

        for (int i = 0; i < 20; i++)
        {
            far.Send(TestFrames.Numbered(i, 80));
        }
        int got = 0;
        var batch = new FrameBatch();
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (got < 20 && DateTime.UtcNow < deadline)
        {
            foreach (AfXdpPort port in new[] { q0, q1 })
            {
                batch.Clear();
                port.Receive(batch);
                for (int i = 0; i < batch.Count; i++)
                {
                    got += TestFrames.IsTest(batch[i].Bytes) ? 1 : 0;
                }
                port.ReleaseReceived();
            }
        }
        Assert.Equal(20, got);
    }
}
