// AF_XDP frames longer than one UMEM frame (a jumbo MTU), on a UMEM whose sockets are bound with
// XDP_USE_SG (kernel 6.6+). The kernel hands such a frame over as a chain of RX descriptors (all but the
// last with XDP_PKT_CONTD) and takes one the same way on TX. The forwarder parses and copies a frame as
// one span, so a received chain is gathered into a scratch slot of this port (allocated once, as many as
// a burst holds) and its UMEM frames go straight back to the free list, and from there to the fill ring;
// a frame longer than one UMEM frame leaves by copy, split over a chain of free frames. Frames that fit
// one UMEM frame keep the zero-copy path untouched. Owned by the poll thread, as the rest of AfXdpPort.
//
// What the two extra copies cost, measured on this 2-vCPU VM: gathering a 9014-byte frame from its
// three descriptors takes 137 ns and splitting it over three TX frames 205 ns, cache-hot
// (MultiBufferBenchmarks). iperf3 TCP between two 9000-MTU veth ports, four interleaved runs each,
// moved 2.1-2.4 Gbit/s through AF_XDP (about 30k frames/s, so the copies take about 1% of the poll
// loop's core; perf put user-space memmove at 1.1% of the machine) and 2.6-3.5 Gbit/s through
// AF_PACKET. The gap is the kernel's: AF_XDP in copy mode (veth, generic XDP) copies every TX buffer
// into a fresh page, AF_PACKET's TX ring lends its pages to the skb.
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Xdp;

namespace FastBridge.Datapath.Ports;

public sealed unsafe partial class AfXdpPort
{
    /// <summary>
    /// Refuses an MTU this UMEM cannot carry; returns the RX descriptors the longest frame takes. The kernel
    /// puts received data XDP_PACKET_HEADROOM into a frame, so one frame receives FrameSize - 256 bytes.
    /// </summary>
    private static int CheckFrameFits(NetInterfaceInfo iface, Umem umem, int longest)
    {
        int receiveRoom = umem.FrameSize - IfXdp.XdpPacketHeadroom;
        int chunks = DescriptorChain.ChunksFor(longest, receiveRoom);
        if (chunks > 1 && !umem.MultiBuffer)
        {
            throw new PortRefusedException($"interface {iface.Name}: MTU {iface.Mtu} does not fit a {umem.FrameSize}-byte AF_XDP frame and this UMEM is not multi-buffer (use AF_PACKET or a smaller MTU)");
        }
        if (chunks > DescriptorChain.MaxDescriptors)
        {
            throw new PortRefusedException($"interface {iface.Name}: MTU {iface.Mtu} needs {chunks} AF_XDP buffers per frame, more than the {DescriptorChain.MaxDescriptors} the kernel takes");
        }
        return chunks;
    }

    /// <summary>
    /// Takes the chain of <paramref name="count"/> RX descriptors at <paramref name="first"/>: gathered into a
    /// scratch slot and added to the batch, or dropped and counted (longer than this port's frames: too_big;
    /// every slot in use: rx_ring_full). Its UMEM frames go back to the free list either way.
    /// </summary>
    private bool ReceiveChain(FrameBatch batch, uint first, uint count)
    {
        long length = DescriptorChain.FrameLength(_socket.Rx, first, count);
        byte* slot = null;
        if (length > _scratch.SlotLength)
        {
            _rxTooBig++;
        }
        else if ((slot = _scratch.TryTake()) == null)
        {
            _rxNoScratch++;
        }
        else
        {
            DescriptorChain.Gather(_socket.Rx, first, count, _umem.Base, slot);
            batch.Add(slot, (int)length);
        }
        for (uint i = 0; i < count; i++)
        {
            _umem.Release(_socket.Rx.Descriptor(first + i).Addr, FrameState.Fill);
        }
        return slot != null;
    }

    /// <summary>
    /// Copies a frame longer than one UMEM frame into a chain of free frames and queues it at
    /// index + queued; false, queuing nothing, when the chain needs more TX ring slots than the
    /// <paramref name="freeSlots"/> left or more frames than the free list holds.
    /// </summary>
    private bool TryQueueChain(in FrameRef frame, int wireLength, uint freeSlots, uint index, ref uint queued)
    {
        int frameSize = _umem.FrameSize;
        int chunks = DescriptorChain.ChunksFor(wireLength, frameSize);
        if (freeSlots < (uint)chunks || _umem.FreeCount < chunks)
        {
            return false;
        }
        for (int chunk = 0; chunk < chunks; chunk++)
        {
            _umem.TryTake(FrameState.Tx, _owner, out ulong addr);
            int offset = chunk * frameSize;
            int length = Math.Min(frameSize, wireLength - offset);
            frame.CopyWireRange(offset, new Span<byte>(_umem.Base + addr, length));
            ref IfXdp.XdpDesc desc = ref _socket.Tx.Descriptor(index + queued++);
            desc.Addr = addr;
            desc.Len = (uint)length;
            desc.Options = chunk < chunks - 1 ? IfXdp.XdpPktContd : 0;
        }
        _copiedTransmits++;
        return true;
    }
}
