// A typed view over the bytes of one Ethernet frame: the length is checked once, in TryParse,
// and every field after that is read without further checks.
using System.Buffers.Binary;

namespace FastBridge.Datapath.Frames;

public readonly ref struct EthernetFrame
{
    /// <summary>Destination, source, EtherType.</summary>
    public const int HeaderLength = 14;

    /// <summary>One 802.1Q or 802.1ad tag.</summary>
    public const int VlanTagLength = 4;

    public const ushort EtherTypeVlan = 0x8100;   // 802.1Q C-tag
    public const ushort EtherTypeQinQ = 0x88A8;   // 802.1ad S-tag

    private readonly ReadOnlySpan<byte> _bytes;

    private EthernetFrame(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    /// <summary>False for a runt: fewer bytes than an Ethernet header.</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, out EthernetFrame frame)
    {
        frame = new EthernetFrame(bytes);
        return bytes.Length >= HeaderLength;
    }

    public int Length => _bytes.Length;

    public ulong Destination => MacAddress.ReadAt8(_bytes);

    public ulong Source => MacAddress.ReadAt8(_bytes.Slice(6));

    /// <summary>The outer EtherType or TPID.</summary>
    public ushort EtherType => BinaryPrimitives.ReadUInt16BigEndian(_bytes.Slice(12));

    public bool IsTagged => EtherType is EtherTypeVlan or EtherTypeQinQ;

    /// <summary>The outer tag's VLAN id, or 0 for an untagged or truncated tagged frame.</summary>
    public ushort OuterVlanId => IsTagged && _bytes.Length >= HeaderLength + VlanTagLength
        ? (ushort)(BinaryPrimitives.ReadUInt16BigEndian(_bytes.Slice(14)) & 0x0FFF)
        : (ushort)0;
}
