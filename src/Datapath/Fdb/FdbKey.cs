// The FDB key: (VLAN id, MAC) packed in one ulong so that a key compare is one instruction and a key
// fits the table's 8-byte key slots. Pure functions: any thread.
namespace FastBridge.Datapath.Fdb;

public static class FdbKey
{
    private const ulong MacMask = 0xFFFF_FFFF_FFFFUL;
    private const int VlanShift = 48;
    private const ushort VlanMask = 0xFFF;

    /// <summary>MAC in bits 0..47, VLAN id (12 bits) in bits 48..59; bits outside those fields are dropped.</summary>
    /// <remarks>The VLAN id is 0 while the bridge is not VLAN-aware.</remarks>
    public static ulong Make(ulong mac, ushort vlanId) => (mac & MacMask) | ((ulong)(vlanId & VlanMask) << VlanShift);

    public static ulong Mac(ulong key) => key & MacMask;

    public static ushort VlanId(ulong key) => (ushort)((key >> VlanShift) & VlanMask);
}
