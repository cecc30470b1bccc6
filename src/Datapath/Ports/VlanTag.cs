// Re-inserting a VLAN tag the kernel stripped on receive, so a tagged frame leaves byte-identical.
// Shared by every backend that copies frames out (AF_PACKET's TX ring, the in-memory port).
using System.Buffers.Binary;

namespace FastBridge.Datapath.Ports;

public static class VlanTag
{
    /// <summary>The 802.1Q TPID, the only tag the kernel's AF_PACKET transmit allows past MTU + 14 bytes.</summary>
    public const ushort Dot1Q = 0x8100;

    /// <summary>
    /// Copies <paramref name="frame"/> into <paramref name="destination"/> as it appears on the wire:
    /// a stripped tag (TPID, TCI) goes back after the 12 bytes of MAC addresses. Returns the bytes written.
    /// <paramref name="destination"/> must hold frame.WireLength bytes.
    /// </summary>
    public static int CopyWithTag(in FrameRef frame, Span<byte> destination)
    {
        ReadOnlySpan<byte> source = frame.Bytes;
        if (frame.StrippedTpid == 0)
        {
            source.CopyTo(destination);
            return source.Length;
        }
        source.Slice(0, 12).CopyTo(destination);
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(12), frame.StrippedTpid);
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(14), frame.StrippedTci);
        source.Slice(12).CopyTo(destination.Slice(16));
        return source.Length + 4;
    }
}
