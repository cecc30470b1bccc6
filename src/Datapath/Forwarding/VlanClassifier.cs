// VLAN-aware forwarding's per-frame decisions, for one poll loop's BatchForwarder: on ingress, the frame's
// VLAN (br_allowed_ingress: the outer tag of the bridge's TPID, else the PVID; priority-tagged frames take the
// PVID and keep their priority; a VLAN the port is not a member of is filtered), and the frame brought to the
// tag-in-metadata form (VlanEditing); on egress, the tag a port sends it with (br_handle_vlan: the egress
// port's untagged flag, VlanMembership.EgressOf). What ingress found is kept per frame of the burst, by batch
// index, in an array allocated once; what every untagged frame of a burst shares (the TPID, the ingress port's
// PVID and whether it is a member of it) is read once per burst (Begin), and the ingress port's membership of the
// last tag's VLAN is kept while the tags repeat. Only the owning poll thread touches it.
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Frames;
using FastBridge.Datapath.Ports;

namespace FastBridge.Datapath.Forwarding;

public sealed class VlanClassifier(int batchCapacity)
{
    private readonly FrameVlan[] _frames = new FrameVlan[batchCapacity];

    // The burst's membership and ingress port, and what Begin read of them.
    private VlanMembership? _vlans;
    private int _ingress;
    private ushort _tpid;
    private ushort _pvid;
    private bool _pvidMember;
    private ushort _taggedVlan;
    private bool _taggedMember;

    /// <summary>Starts a burst received on <paramref name="ingress"/>, classified and tagged by <paramref name="vlans"/> until the next Begin.</summary>
    public void Begin(VlanMembership vlans, int ingress)
    {
        _vlans = vlans;
        _ingress = ingress;
        _tpid = vlans.Tpid;
        _pvid = vlans.Pvid(ingress);
        _pvidMember = vlans.IsMember(ingress, _pvid); // no PVID (0) is never a member
        _taggedVlan = _pvid;
        _taggedMember = _pvidMember;
    }

    /// <summary>The VLAN ingress gave batch frame <paramref name="index"/>.</summary>
    public ushort VlanOf(int index) => _frames[index].Vlan;

    /// <summary>
    /// Classifies batch frame <paramref name="index"/> (a whole Ethernet header) of the burst: false, with the reason
    /// to count, when it must be dropped; else its VLAN is <paramref name="vlan"/> (and VlanOf(index)) and an outer tag
    /// of the bridge's TPID has moved into metadata.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe bool TryClassify(ref FrameRef frame, int index, out ushort vlan, out DropReason reason)
    {
        // The untagged frame is the common case, and its test is one EtherType read: a frame with no tag in metadata
        // whose EtherType is not the bridge's TPID keeps no tag. A tag of the bridge's TPID is read where it is.
        ushort strippedTpid = frame.StrippedTpid;
        if (strippedTpid == 0)
        {
            if (BinaryPrimitives.ReadUInt16BigEndian(new ReadOnlySpan<byte>(frame.Data + EthernetFrame.MacAddressesLength, 2)) != _tpid)
            {
                vlan = _pvid;
                return Accept(index, vlan, vlan, VlanTag.None, _pvidMember, out reason);
            }
            if (frame.Length < EthernetFrame.HeaderLength + VlanTag.Length)
            {
                vlan = 0;
                reason = DropReason.Runt; // a malformed tag
                return false;
            }
            ushort inFrameTci = BinaryPrimitives.ReadUInt16BigEndian(new ReadOnlySpan<byte>(frame.Data + EthernetFrame.HeaderLength, 2));
            VlanEditing.StripInPlace(ref frame, new VlanTag(_tpid, inFrameTci));
        }
        else if (strippedTpid != _tpid)
        {
            vlan = _pvid;
            return Accept(index, vlan, vlan, new VlanTag(strippedTpid, frame.StrippedTci), _pvidMember, out reason);
        }

        ushort tci = frame.StrippedTci;
        vlan = (ushort)(tci & 0x0FFF);
        if (vlan == 0)
        {
            // Priority-tagged: the PVID's frame, with its priority kept for tagged egress.
            vlan = _pvid;
            tci = (ushort)((tci & 0xF000) | vlan);
        }
        if (vlan != _taggedVlan)
        {
            _taggedVlan = vlan;
            _taggedMember = _vlans!.IsMember(_ingress, vlan); // 4095 is never a member
        }
        return Accept(index, vlan, tci, VlanTag.None, _taggedMember, out reason);
    }

    /// <summary>Keeps what ingress found for batch frame <paramref name="index"/> if the port is a member of its VLAN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Accept(int index, ushort vlan, ushort tci, VlanTag kept, bool member, out DropReason reason)
    {
        if (!member)
        {
            reason = DropReason.VlanFiltered;
            return false;
        }
        _frames[index] = new FrameVlan(vlan, tci, kept);
        reason = default;
        return true;
    }

    /// <summary>
    /// Sets batch frame <paramref name="index"/>'s metadata to what a port that sends its VLAN as <paramref name="egress"/>
    /// (Tagged or Untagged) sends: the VLAN's tag unless untagged. False when the frame cannot be sent there: a frame
    /// whose other-TPID outer tag AF_PACKET holds in metadata cannot take a second tag outside it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TrySetEgressTag(ref FrameRef frame, int index, VlanEgress egress)
    {
        ref FrameVlan classified = ref _frames[index];
        if (egress == VlanEgress.Untagged)
        {
            frame.StrippedTpid = classified.Kept.Tpid;
            frame.StrippedTci = classified.Kept.Tci;
            return true;
        }
        if (classified.Kept.IsPresent)
        {
            return false;
        }
        frame.StrippedTpid = _tpid;
        frame.StrippedTci = classified.Tci;
        return true;
    }

    /// <summary>
    /// What ingress found for one frame: its VLAN, the TCI it leaves tagged ports with, and the tag to leave untagged
    /// ports with (an outer tag of the other TPID, which is part of the frame here, as in the Linux bridge; else none).
    /// </summary>
    private readonly record struct FrameVlan(ushort Vlan, ushort Tci, VlanTag Kept);
}
