// Frames that arrive or leave as several AF_XDP descriptors (multi-buffer, XDP_USE_SG, kernel 6.6+):
// every descriptor of a frame but its last carries XDP_PKT_CONTD in its options (kernel
// Documentation/networking/af_xdp.rst, "Multi-Buffer Support"). The kernel publishes a received
// frame's descriptors together (it reserves RX slots for the whole frame before it writes any, and
// moves the producer index after the last), so a chain that starts before the producer index also ends
// before it, and a reader that takes whole chains never holds half a frame. Pure functions over a ring
// and memory, so tests drive them without a socket; called by the owning poll thread only.
using FastBridge.Datapath.Interop;

namespace FastBridge.Datapath.Xdp;

internal static unsafe class DescriptorChain
{
    /// <summary>
    /// Most descriptors one frame may take. On transmit in copy mode the kernel takes at most
    /// CONFIG_MAX_SKB_FRAGS + 1 (the first into the skb's linear part, one fragment each after), and the
    /// smallest that config may be is 17; a longer chain is refused as invalid and never completed. On
    /// receive the kernel splits a frame of at most 64 KiB into chunks of 3840 bytes: at most 18 too.
    /// </summary>
    public const int MaxDescriptors = 18;

    /// <summary>
    /// Descriptors in the chain that starts at <paramref name="first"/>: up to and including the first one
    /// without XDP_PKT_CONTD. 0 when none of the <paramref name="available"/> descriptors ends it.
    /// </summary>
    public static uint Length(in XskRing ring, uint first, uint available)
    {
        for (uint i = 0; i < available; i++)
        {
            if ((ring.Descriptor(first + i).Options & IfXdp.XdpPktContd) == 0)
            {
                return i + 1;
            }
        }
        return 0;
    }

    /// <summary>The frame's length: the sum of its <paramref name="count"/> descriptors' lengths (no overflow: 64-bit).</summary>
    public static long FrameLength(in XskRing ring, uint first, uint count)
    {
        long length = 0;
        for (uint i = 0; i < count; i++)
        {
            length += ring.Descriptor(first + i).Len;
        }
        return length;
    }

    /// <summary>Copies the chain's data in order to <paramref name="destination"/>, which holds FrameLength bytes.</summary>
    public static void Gather(in XskRing ring, uint first, uint count, byte* umemBase, byte* destination)
    {
        for (uint i = 0; i < count; i++)
        {
            ref IfXdp.XdpDesc desc = ref ring.Descriptor(first + i);
            Buffer.MemoryCopy(umemBase + desc.Addr, destination, desc.Len, desc.Len);
            destination += desc.Len;
        }
    }

    /// <summary>Chunks of <paramref name="chunkSize"/> bytes that a frame of <paramref name="length"/> bytes fills.</summary>
    public static int ChunksFor(int length, int chunkSize) => (length + chunkSize - 1) / chunkSize;
}
