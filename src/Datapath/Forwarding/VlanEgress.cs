// How a port sends the frames of one VLAN, as VlanMembership precomputes it per VLAN and port so that the
// forwarder answers "may it go there, and with which tag" with one lookup per frame and egress port.
namespace FastBridge.Datapath.Forwarding;

public enum VlanEgress : byte
{
    /// <summary>Not a member: the VLAN's frames never leave the port (br_allowed_egress).</summary>
    NotMember,

    /// <summary>A member; frames leave with the VLAN's tag.</summary>
    Tagged,

    /// <summary>A member; frames leave without it (`bridge vlan ... untagged`).</summary>
    Untagged,
}
