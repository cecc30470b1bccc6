// What the kernel does with the descriptors of an AF_XDP socket, the rules AfXdpPort is built on: a
// frame longer than one UMEM frame arrives as a chain linked by XDP_PKT_CONTD (which pins that flag's
// value, newer than the installed headers), and a TX descriptor the kernel refuses is consumed and
// counted in tx_invalid_descs (a drop), and on kernels before mid-2026 never completed, so its UMEM frame
// would never come back.
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Ports;
using FastBridge.Datapath.Xdp;
using FastBridge.Tests.Datapath.Ports;
using Xunit.Abstractions;

namespace FastBridge.Tests.Datapath.Xdp;

public sealed unsafe class XskSocketTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(XdpAttachMode.Native)]
    [InlineData(XdpAttachMode.Generic)]
    public void Receive_9000ByteFrame_ThreeDescriptorsChainedByPktContd(XdpAttachMode mode)
    {
        using var lab = new VethLab();
        (string host, string peer) = lab.AddVeth("c", 9000);
        NetInterfaceInfo iface = NetInterface.Inspect(host);
        using var umem = new Umem(new UmemOptions(FrameCount: 1024, MultiBuffer: true));
        using XdpAttachment attachment = XdpAttachment.Attach(iface, mode, multiBuffer: true);
        using XskSocket socket = XskSocket.Open(host, iface.IfIndex, 0, umem, 256);
        byte owner = umem.RegisterOwner();
        uint fill = socket.Fill.FreeSlots(64);
        for (uint i = 0; i < fill; i++)
        {
            umem.TryTake(FrameState.Fill, owner, out socket.Fill.Address(socket.Fill.ProducerIndex + i));
        }
        socket.Fill.Produce(fill);
        attachment.Register(0, socket.Fd);
        using RawSocket far = lab.OpenPeer(peer);

        far.Send(TestFrames.Numbered(1, 9000));
        var chain = new List<(uint Len, uint Options)>();
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < deadline && (chain.Count == 0 || chain[^1].Options != 0 || chain.Sum(d => d.Len) != 9000))
        {
            uint ready = socket.Rx.Available(socket.Rx.Size);
            for (uint i = 0; i < ready; i++)
            {
                IfXdp.XdpDesc desc = socket.Rx.Descriptor(socket.Rx.ConsumerIndex + i);
                // Link chatter (IPv6 solicitations) is short: one descriptor, options 0; start over after it.
                chain = chain.Count > 0 && chain[^1].Options == 0 ? [] : chain;
                chain.Add((desc.Len, desc.Options));
            }
            socket.Rx.Consume(ready);
        }

        Assert.Equal([(3840U, IfXdp.XdpPktContd), (3840U, IfXdp.XdpPktContd), (1320U, 0U)], chain);
    }

    [Fact]
    public void Transmit_DescriptorLongerThanAFrame_ConsumedAndCountedAsADrop()
    {
        using var lab = new XdpPortLab(1);
        AfXdpPort port = lab.Ports[0];
        XskSocket socket = port.Socket;
        byte owner = lab.Umem.RegisterOwner();
        Assert.True(lab.Umem.TryTake(FrameState.Tx, owner, out ulong frame));

        // A socket without XDP_USE_SG: one descriptor may hold at most one UMEM frame.
        ref IfXdp.XdpDesc desc = ref socket.Tx.Descriptor(socket.Tx.ProducerIndex);
        (desc.Addr, desc.Len, desc.Options) = (frame, (uint)lab.Umem.FrameSize + 1, 0);
        socket.Tx.Produce(1);
        port.Flush();

        var drops = new ulong[DropReasons.Count];
        port.AddBackendDrops(drops);
        Assert.Equal(1UL, drops[(int)DropReason.TxRefused]);
        var deadline = DateTime.UtcNow.AddSeconds(2);
        while (socket.Tx.Outstanding != 0 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(1);
        }
        Assert.Equal(0U, socket.Tx.Outstanding); // consumed, never sent
        // Whether the kernel hands the frame back depends on its version: since mid-2026 (selftests/xsk
        // "account reclaimed invalid Tx descriptors") it completes invalid descriptors; before, it never did,
        // and the frame was lost to the UMEM. So FastBridge writes none (AfXdpPort.Transmit).
        Thread.Sleep(50);
        uint completed = socket.Completion.Available(socket.Completion.Size);
        output.WriteLine(completed == 1
            ? $"this kernel completed the invalid descriptor (address {socket.Completion.Address(socket.Completion.ConsumerIndex)})"
            : "this kernel did not complete the invalid descriptor: its frame is lost to the UMEM");
        Assert.True(completed <= 1);
        port.Flush(); // reaps what was completed
        if (lab.Umem.StateOf(frame) == FrameState.Tx)
        {
            lab.Umem.Release(frame, FrameState.Tx); // the test's own frame back, so the UMEM is whole again
        }
    }
}
