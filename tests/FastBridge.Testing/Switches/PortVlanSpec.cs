// A port's VLAN membership as a VLAN test asks for it, in the words each switch understands: an access port
// (Pvid, untagged, no tagged VLANs), a trunk (Tagged VLANs, no PVID), or a trunk with a native VLAN (both).
// FastBridge takes it as `vlan add` commands, Open vSwitch as tag=, trunks= and vlan_mode= on the Port.
namespace FastBridge.Testing.Switches;

/// <param name="Pvid">The VLAN of untagged frames, which also leaves the port untagged; null: untagged frames are dropped.</param>
/// <param name="Tagged">VLANs the port carries tagged.</param>
internal sealed record PortVlanSpec(int? Pvid, int[] Tagged)
{
    public static PortVlanSpec Access(int vlan) => new(vlan, []);

    public static PortVlanSpec Trunk(params int[] vlans) => new(null, vlans);
}
