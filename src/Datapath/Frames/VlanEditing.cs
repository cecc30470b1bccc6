// The tag edits of VLAN-aware forwarding, on a received frame (FrameRef) owned by the poll thread until
// its port's ReleaseReceived. Every backend's frame is brought to the form AF_PACKET hands over: the outer tag
// in metadata (StrippedTpid, StrippedTci), the bytes without it. An in-frame tag is taken out in place, the way
// the kernel's skb_vlan_untag does it: the 12 bytes of MAC addresses move 4 bytes up over the tag and the frame
// starts 4 bytes later, so no frame is copied on ingress. Egress then only sets the metadata per port (tag or
// none), and every backend writes the frame with it as it writes an AF_PACKET-stripped tag today: AF_PACKET
// and the in-memory port copy it anyway; AF_XDP sends a frame without a tag by descriptor (its bytes, 4 bytes
// into the UMEM frame) and copies a frame that leaves tagged (AfXdpPort.Transmit's copy path). That copy costs
// nothing that shows on veth, where the kernel copies every frame anyway: AfXdpTagBenchmarks, 60-byte frames circulating
// through two AF_XDP ports, 1.078 / 1.089 µs per frame pushed against 1.098 / 1.134 by descriptor in two runs (a
// third, noisy, 1.250 against 1.074).
using System.Runtime.CompilerServices;
using FastBridge.Datapath.Ports;

namespace FastBridge.Datapath.Frames;

public static unsafe class VlanEditing
{
    /// <summary>
    /// Takes the frame's in-frame outer tag out into metadata, in place; a frame whose tag is already in
    /// metadata is left as it is. The caller has checked the frame holds a whole tag after the MAC addresses.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StripInPlace(ref FrameRef frame, VlanTag tag)
    {
        if (frame.StrippedTpid != 0)
        {
            return;
        }
        byte* data = frame.Data;
        // 12 overlapping bytes: an 8-byte and a 4-byte load before either store.
        ulong macs = Unsafe.ReadUnaligned<ulong>(data);
        uint rest = Unsafe.ReadUnaligned<uint>(data + 8);
        Unsafe.WriteUnaligned(data + VlanTag.Length, macs);
        Unsafe.WriteUnaligned(data + VlanTag.Length + 8, rest);
        frame.Data = data + VlanTag.Length;
        frame.Length -= VlanTag.Length;
        frame.SetStrippedTag(tag);
    }
}
