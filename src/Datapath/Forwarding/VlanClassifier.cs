// VLAN-aware forwarding's per-frame decisions, for one poll loop's BatchForwarder: on ingress, the frame's
// VLAN (br_allowed_ingress: the outer tag of the bridge's TPID, else the PVID; priority-tagged frames take the
// PVID and keep their priority; a VLAN the port is not a member of is filtered), and the frame brought to the
// tag-in-metadata form (VlanEditing); on egress, the tag each port sends it with (br_handle_vlan: the egress
// port's untagged flag). What ingress found is kept per frame of the burst, by batch index, in arrays
// allocated once; only the owning poll thread touches them.
using System.Runtime.CompilerServices;
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Frames;
using FastBridge.Datapath.Ports;

namespace FastBridge.Datapath.Forwarding;

public sealed class VlanClassifier(int batchCapacity)
{
    // Per frame of the burst: its VLAN, the TCI it leaves tagged ports with, and the tag to leave untagged
    // ports with (an outer tag of the other TPID, which is part of the frame here, as in the Linux bridge; else none).
    private readonly ushort[] _vlan = new ushort[batchCapacity];
    private readonly ushort[] _tci = new ushort[batchCapacity];
    private readonly VlanTag[] _kept = new VlanTag[batchCapacity];

    /// <summary>The VLAN ingress gave batch frame <paramref name="index"/>.</summary>
    public ushort VlanOf(int index) => _vlan[index];

    /// <summary>
    /// Classifies batch frame <paramref name="index"/> (a whole Ethernet header) received on <paramref name="ingress"/>:
    /// false, with the reason to count, when it must be dropped; else its VLAN is VlanOf(index) and an outer tag of
    /// the bridge's TPID has moved into metadata.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryClassify(ref FrameRef frame, int index, int ingress, VlanMembership vlans, out DropReason reason)
    {
        VlanTag tag = frame.OuterTag;
        ushort vlan;
        ushort tci;
        if (tag.Tpid == vlans.Tpid)
        {
            VlanEditing.StripInPlace(ref frame, tag);
            _kept[index] = VlanTag.None;
            vlan = tag.VlanId;
            tci = tag.Tci;
            if (vlan == 0)
            {
                // Priority-tagged: the PVID's frame, with its priority kept for tagged egress.
                vlan = vlans.Pvid(ingress);
                tci = (ushort)((tci & 0xF000) | vlan);
            }
        }
        else
        {
            if (VlanEditing.HasTruncatedTag(frame, vlans.Tpid))
            {
                reason = DropReason.Runt;
                return false;
            }
            _kept[index] = new VlanTag(frame.StrippedTpid, frame.StrippedTci);
            vlan = tci = vlans.Pvid(ingress);
        }
        // No PVID (vlan 0) and 4095 are never a member.
        if (!vlans.IsMember(ingress, vlan))
        {
            reason = DropReason.VlanFiltered;
            return false;
        }
        _vlan[index] = vlan;
        _tci[index] = tci;
        reason = default;
        return true;
    }

    /// <summary>
    /// Sets batch frame <paramref name="index"/>'s metadata to what port <paramref name="egress"/> sends: the VLAN's
    /// tag unless the port sends it untagged. False when the frame cannot be sent there: a frame whose other-TPID
    /// outer tag AF_PACKET holds in metadata cannot take a second tag outside it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TrySetEgressTag(ref FrameRef frame, int index, int egress, VlanMembership vlans)
    {
        VlanTag kept = _kept[index];
        if (vlans.IsUntagged(egress, _vlan[index]))
        {
            frame.StrippedTpid = kept.Tpid;
            frame.StrippedTci = kept.Tci;
            return true;
        }
        if (kept.IsPresent)
        {
            return false;
        }
        frame.StrippedTpid = vlans.Tpid;
        frame.StrippedTci = _tci[index];
        return true;
    }
}
