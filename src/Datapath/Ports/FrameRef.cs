// One received frame as a pointer into backend-owned memory, with the VLAN tag the kernel may have taken
// out of its bytes. Everything that asks about the frame as it is on the wire (its length, its outer tag,
// whether a port can send it, its bytes with the tag put back) asks here, so every backend's frames
// answer alike: AF_PACKET's with the outer tag in metadata, AF_XDP's and the in-memory port's with it in the bytes.
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using FastBridge.Datapath.Frames;

namespace FastBridge.Datapath.Ports;

/// <summary>One received frame.</summary>
public unsafe struct FrameRef
{
    public byte* Data;
    public int Length;

    /// <summary>
    /// A VLAN tag the kernel took out of the frame into metadata (AF_PACKET's tp_vlan_tpid and
    /// tp_vlan_tci); 0 when the frame bytes are complete. Egress puts it back after the MAC addresses,
    /// so tagged frames leave byte-identical. Read the frame's tag through OuterTag.
    /// </summary>
    public ushort StrippedTpid;
    public ushort StrippedTci;

    /// <summary>Puts <paramref name="tag"/> in metadata as the frame's outer tag (VlanTag.None: none).</summary>
    public void SetStrippedTag(VlanTag tag)
    {
        StrippedTpid = tag.Tpid;
        StrippedTci = tag.Tci;
    }

    /// <summary>Length on the wire, the stripped tag included.</summary>
    public readonly int WireLength => StrippedTpid == 0 ? Length : Length + VlanTag.Length;

    public readonly ReadOnlySpan<byte> Bytes => new(Data, Length);

    /// <summary>
    /// The outer VLAN tag on the wire: the one the kernel stripped, else an 802.1Q or 802.1ad tag after the
    /// MAC addresses; VlanTag.None for an untagged frame or one too short to hold a whole tag.
    /// </summary>
    public readonly VlanTag OuterTag
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (StrippedTpid != 0)
            {
                return new VlanTag(StrippedTpid, StrippedTci);
            }
            if (Length < EthernetFrame.HeaderLength + VlanTag.Length)
            {
                return VlanTag.None;
            }
            uint tag = BinaryPrimitives.ReadUInt32BigEndian(new ReadOnlySpan<byte>(Data + EthernetFrame.MacAddressesLength, VlanTag.Length));
            ushort tpid = (ushort)(tag >> 16);
            return VlanTag.IsTpid(tpid) ? new VlanTag(tpid, (ushort)tag) : VlanTag.None;
        }
    }

    /// <summary>
    /// Whether a port sending 802.1Q-tagged frames of up to <paramref name="maxTagged"/> bytes and others of up to
    /// <paramref name="maxUntagged"/> (IPort.MaxFrameLength, MaxUntaggedFrameLength) can send this frame.
    /// </summary>
    public readonly bool Fits(int maxTagged, int maxUntagged)
    {
        int length = WireLength;
        return length <= maxUntagged || (length <= maxTagged && OuterTag.Tpid == VlanTag.CustomerTpid);
    }

    /// <summary>
    /// Copies the frame into <paramref name="destination"/> as it appears on the wire: a stripped tag (TPID, TCI)
    /// goes back after the 12 bytes of MAC addresses. Returns the bytes written; <paramref name="destination"/>
    /// must hold WireLength bytes.
    /// </summary>
    public readonly int CopyToWire(Span<byte> destination)
    {
        ReadOnlySpan<byte> source = Bytes;
        if (StrippedTpid == 0)
        {
            source.CopyTo(destination);
            return Length;
        }
        // What CopyWireRange(0, ...) writes, in three straight copies: every copied frame comes here (AF_PACKET, the
        // in-memory port, AF_XDP's copy path), and going through CopyWireRange cost each about 8 ns (ForwardingBenchmarks,
        // VLAN off, unicast: 2.685 us per 64-frame burst before, 2.128 after; --job short).
        const int MacsLength = EthernetFrame.MacAddressesLength;
        source[..MacsLength].CopyTo(destination);
        BinaryPrimitives.WriteUInt32BigEndian(destination[MacsLength..], ((uint)StrippedTpid << 16) | StrippedTci);
        source[MacsLength..].CopyTo(destination[(MacsLength + VlanTag.Length)..]);
        return Length + VlanTag.Length;
    }

    /// <summary>
    /// Copies bytes <paramref name="wireOffset"/> to wireOffset + destination.Length of the frame as it
    /// appears on the wire (stripped tag put back) into <paramref name="destination"/>.
    /// </summary>
    public readonly void CopyWireRange(int wireOffset, Span<byte> destination)
    {
        ReadOnlySpan<byte> source = Bytes;
        if (StrippedTpid == 0)
        {
            source.Slice(wireOffset, destination.Length).CopyTo(destination);
            return;
        }
        // On the wire: MAC addresses, the tag, then the rest of the frame 4 bytes later than in memory.
        const int MacsLength = EthernetFrame.MacAddressesLength;
        const int HeadLength = MacsLength + VlanTag.Length;
        int written = 0;
        if (wireOffset < HeadLength)
        {
            Span<byte> head = stackalloc byte[HeadLength];
            source[..MacsLength].CopyTo(head);
            BinaryPrimitives.WriteUInt16BigEndian(head[MacsLength..], StrippedTpid);
            BinaryPrimitives.WriteUInt16BigEndian(head[(MacsLength + 2)..], StrippedTci);
            written = Math.Min(HeadLength - wireOffset, destination.Length);
            head.Slice(wireOffset, written).CopyTo(destination);
            if (written == destination.Length)
            {
                return;
            }
        }
        int sourceOffset = wireOffset + written - VlanTag.Length;
        source.Slice(sourceOffset, destination.Length - written).CopyTo(destination[written..]);
    }
}
