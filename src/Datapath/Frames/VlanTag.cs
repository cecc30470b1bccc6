// The outer VLAN tag of a frame as a value (TPID, TCI), and the tag constants of 802.1Q and 802.1ad.
// FrameRef.OuterTag reads it wherever it is (stripped by the kernel into metadata, or in the bytes),
// so the size rule, and VLAN filtering after it, ask one question of every backend's frames.
namespace FastBridge.Datapath.Frames;

/// <summary>A VLAN tag: its TPID and TCI (priority, drop eligibility, VLAN id); default is no tag.</summary>
public readonly record struct VlanTag(ushort Tpid, ushort Tci)
{
    /// <summary>Bytes one tag takes on the wire: TPID and TCI.</summary>
    public const int Length = 4;

    /// <summary>802.1Q C-tag; the only TPID AF_PACKET's transmit allows past MTU + 14 bytes.</summary>
    public const ushort CustomerTpid = 0x8100;

    /// <summary>802.1ad S-tag (QinQ's outer tag).</summary>
    public const ushort ServiceTpid = 0x88A8;

    /// <summary>No tag.</summary>
    public static VlanTag None => default;

    /// <summary>Whether there is a tag (a TPID is never 0).</summary>
    public bool IsPresent => Tpid != 0;

    /// <summary>The VLAN id: the low 12 bits of the TCI.</summary>
    public ushort VlanId => (ushort)(Tci & 0x0FFF);

    /// <summary>Whether an EtherType in a tag's place says a tag follows (eth_type_vlan in the kernel).</summary>
    public static bool IsTpid(ushort etherType) => etherType is CustomerTpid or ServiceTpid;
}
