// The fast path's VLAN map, on a VLAN-aware bridge: per port, keyed by its ifindex (the one thing a program
// knows of its ingress port before the FDB lookup, which needs the VLAN), the PVID and one rule byte per VLAN
// id, so the program classifies a frame as the poll loop does and tells whether its egress port sends the VLAN
// the way it came in. A HASH map, so an update replaces a port's whole value at once: a program never sees half
// of an old membership and half of a new one (an ARRAY would copy into the value it is reading). Written by
// the control plane (FastPathVlanMirror) on every membership change, before the poll loops see it.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastBridge.Datapath.Interop;

namespace FastBridge.Datapath.Xdp;

/// <summary>One port's VLAN membership as the fast-path program reads it (offsets are the program's: FastPathProgram).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct FastPathVlans
{
    /// <summary>Byte offset of Pvid, after one rule byte per VLAN id 0-4095.</summary>
    public const int PvidOffset = 4096;

    /// <summary>Indexed by VLAN id: FastPathVlanRules bits; 0 (not a member) for VLAN 0 and 4095, always.</summary>
    public VlanRuleBytes Rules;

    /// <summary>The VLAN of untagged ingress; 0: none (the program leaves such frames to the poll loop).</summary>
    public uint Pvid;
}

/// <summary>4096 bytes, one per VLAN id.</summary>
[InlineArray(4096)]
public struct VlanRuleBytes
{
    private byte _first;
}

/// <summary>Bits of a FastPathVlans rule byte.</summary>
public static class FastPathVlanRules
{
    /// <summary>The port is a member of the VLAN (VlanMembership.IsMember).</summary>
    public const byte Member = 1;

    /// <summary>The VLAN leaves the port untagged (VlanMembership.IsUntagged).</summary>
    public const byte Untagged = 2;
}

public sealed unsafe partial class FastPathMaps
{
    /// <summary>The TPID the programs classify VLANs by (0x8100 or 0x88a8); 0 on a VLAN-unaware bridge, which has no VLAN map.</summary>
    public ushort VlanTpid { get; }

    internal int VlansFd => VlanTpid != 0 ? _fds[5] : throw new InvalidOperationException("the fast path's maps are not VLAN-aware");

    /// <summary>vlans[ifIndex] = rules; false when the kernel refused (the program then leaves that port's frames to the poll loops).</summary>
    public bool WriteVlans(int ifIndex, in FastPathVlans rules)
    {
        uint key = (uint)ifIndex;
        fixed (FastPathVlans* value = &rules)
        {
            return Bpf.UpdateElem(VlansFd, &key, value) == 0;
        }
    }

    /// <summary>No VLAN rules for the interface: from the next frame on, nothing from or to it is redirected.</summary>
    public void DeleteVlans(int ifIndex)
    {
        uint key = (uint)ifIndex;
        Bpf.DeleteElem(VlansFd, &key);
    }

    public bool TryReadVlans(int ifIndex, out FastPathVlans rules)
    {
        uint key = (uint)ifIndex;
        rules = default;
        fixed (FastPathVlans* value = &rules)
        {
            return Bpf.LookupElem(VlansFd, &key, value) == 0;
        }
    }

    private static (uint Type, uint Key, uint Value, uint Max, uint Flags, string Name) VlansSpec(int maxPorts) =>
        (Bpf.MapTypeHash, 4, (uint)sizeof(FastPathVlans), (uint)maxPorts, Bpf.MapFlagNoPrealloc, "fb_vlans");
}
