// Re-inserting a VLAN tag the kernel stripped on receive, so a tagged frame leaves byte-identical.
// Shared by every backend that copies frames out (AF_PACKET's TX ring, the in-memory port, AF_XDP's
// copies, which split a frame longer than one UMEM frame into pieces).
using System.Buffers.Binary;

namespace FastBridge.Datapath.Ports;

public static class VlanTag
{
    /// <summary>The 802.1Q TPID, the only tag the kernel's AF_PACKET transmit allows past MTU + 14 bytes.</summary>
    public const ushort Dot1Q = 0x8100;

    private const int MacAddressesLength = 12;
    private const int TagLength = 4;

    /// <summary>
    /// Copies <paramref name="frame"/> into <paramref name="destination"/> as it appears on the wire:
    /// a stripped tag (TPID, TCI) goes back after the 12 bytes of MAC addresses. Returns the bytes written.
    /// <paramref name="destination"/> must hold frame.WireLength bytes.
    /// </summary>
    public static int CopyWithTag(in FrameRef frame, Span<byte> destination)
    {
        int wireLength = frame.WireLength;
        CopyWireRange(frame, 0, destination[..wireLength]);
        return wireLength;
    }

    /// <summary>
    /// Copies bytes <paramref name="wireOffset"/> to wireOffset + destination.Length of the frame as it
    /// appears on the wire (stripped tag put back) into <paramref name="destination"/>.
    /// </summary>
    public static void CopyWireRange(in FrameRef frame, int wireOffset, Span<byte> destination)
    {
        ReadOnlySpan<byte> source = frame.Bytes;
        if (frame.StrippedTpid == 0)
        {
            source.Slice(wireOffset, destination.Length).CopyTo(destination);
            return;
        }
        // On the wire: MAC addresses, the tag, then the rest of the frame 4 bytes later than in memory.
        const int HeadLength = MacAddressesLength + TagLength;
        int written = 0;
        if (wireOffset < HeadLength)
        {
            Span<byte> head = stackalloc byte[HeadLength];
            source[..MacAddressesLength].CopyTo(head);
            BinaryPrimitives.WriteUInt16BigEndian(head[MacAddressesLength..], frame.StrippedTpid);
            BinaryPrimitives.WriteUInt16BigEndian(head[(MacAddressesLength + 2)..], frame.StrippedTci);
            written = Math.Min(HeadLength - wireOffset, destination.Length);
            head.Slice(wireOffset, written).CopyTo(destination);
            if (written == destination.Length)
            {
                return;
            }
        }
        int sourceOffset = wireOffset + written - TagLength;
        source.Slice(sourceOffset, destination.Length - written).CopyTo(destination[written..]);
    }
}
