// VLAN-aware forwarding's per-frame decisions, for one poll loop's BatchForwarder: on ingress, the frame's
// VLAN (br_allowed_ingress: the outer tag of the bridge's TPID, else the PVID; priority-tagged frames take the
// PVID and keep their priority; a VLAN the port is not a member of is filtered), and the frame brought to the
// tag-in-metadata form (VlanEditing); on egress, the tag a port sends it with (br_handle_vlan: the egress
// port's untagged flag, VlanMembership.EgressOf).
// What ingress found is kept in the frame's own metadata, as the skb's vlan_tci keeps it in the bridge: a frame that
// came with a tag of the bridge's TPID holds that tag (its VLAN id the PVID if it came priority-tagged), the form it
// leaves tagged ports in; any other frame is in the PVID's VLAN and holds what it came with (no tag, or an outer tag of
// the other TPID that AF_PACKET took out, which is part of the frame here as in the Linux bridge and so stays). Egress
// moves a frame between the two forms; a flood reads both before it sets either (FormsOf), and only a frame flooded to
// ports of both kinds has its tagged form kept aside, for the ports sent last (KeepForRetag). What every untagged frame of a burst
// shares (the TPID, the ingress port's PVID and whether it is a member of it) is read once per burst (Begin), and the
// ingress port's membership of the last tag's VLAN is kept while the tags repeat. Only the owning poll thread touches it.
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Frames;
using FastBridge.Datapath.Ports;

namespace FastBridge.Datapath.Forwarding;

public sealed class VlanClassifier
{
    // Batch frames flooded with both forms: the TCI of each one's tagged form by batch index (-1: none), and the
    // indices set, so EndRetag clears only those.
    private readonly int[] _retagTci;
    private readonly int[] _retagFrames;
    private int _retagCount;

    // The burst's membership and ingress port, and what Begin read of them.
    private VlanMembership? _vlans;
    private int _ingress;
    private ushort _tpid;
    private ushort _pvid;
    private bool _pvidMember;
    private ushort _taggedVlan;
    private bool _taggedMember;

    public VlanClassifier(int batchCapacity)
    {
        _retagTci = new int[batchCapacity];
        Array.Fill(_retagTci, -1);
        _retagFrames = new int[batchCapacity];
    }

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

    /// <summary>
    /// Classifies a frame (a whole Ethernet header) of the burst: false, with the reason to count, when it must be
    /// dropped; else its VLAN is <paramref name="vlan"/> and it is in the form the header describes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe bool TryClassify(ref FrameRef frame, out ushort vlan, out DropReason reason)
    {
        // The untagged frame is the common case, and its test is one EtherType read: a frame with no tag in metadata
        // whose EtherType is not the bridge's TPID is in the PVID's VLAN as it is. A tag of the bridge's TPID is read
        // where it is.
        ushort strippedTpid = frame.StrippedTpid;
        if (strippedTpid == 0)
        {
            if (BinaryPrimitives.ReadUInt16BigEndian(new ReadOnlySpan<byte>(frame.Data + EthernetFrame.MacAddressesLength, 2)) != _tpid)
            {
                vlan = _pvid;
                return Accept(_pvidMember, out reason);
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
            return Accept(_pvidMember, out reason);
        }

        ushort tci = frame.StrippedTci;
        vlan = (ushort)(tci & 0x0FFF);
        if (vlan == 0)
        {
            // Priority-tagged: the PVID's frame, with its priority kept for tagged egress.
            vlan = _pvid;
            frame.StrippedTci = (ushort)((tci & 0xF000) | vlan);
        }
        if (vlan != _taggedVlan)
        {
            _taggedVlan = vlan;
            _taggedMember = _vlans!.IsMember(_ingress, vlan); // 4095 is never a member
        }
        return Accept(_taggedMember, out reason);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Accept(bool member, out DropReason reason)
    {
        reason = member ? default : DropReason.VlanFiltered;
        return member;
    }

    /// <summary>
    /// Brings a classified frame of the burst to what a port that sends its VLAN as <paramref name="egress"/> (Tagged or
    /// Untagged) sends: the VLAN's tag unless untagged. False when the frame cannot be sent there: a frame whose
    /// other-TPID outer tag AF_PACKET holds in metadata cannot take a second tag outside it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TrySetEgressTag(ref FrameRef frame, VlanEgress egress)
    {
        bool tagged = frame.StrippedTpid == _tpid;
        if (egress == VlanEgress.Untagged)
        {
            if (tagged)
            {
                frame.StrippedTpid = 0; // a frame that holds the bridge's tag kept nothing else
                frame.StrippedTci = 0;
            }
            return true;
        }
        if (tagged)
        {
            return true;
        }
        if (frame.StrippedTpid != 0)
        {
            return false;
        }
        frame.StrippedTpid = _tpid; // an untagged frame's VLAN is the PVID, with priority 0
        frame.StrippedTci = _pvid;
        return true;
    }

    /// <summary>
    /// Both forms a classified frame of the burst leaves ports in, and its VLAN, read while the frame is still in the
    /// form ingress left it in: a flood sets one form, then the other.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public EgressForms FormsOf(in FrameRef frame)
    {
        if (frame.StrippedTpid == _tpid)
        {
            var tagged = new VlanTag(_tpid, frame.StrippedTci);
            return new EgressForms(tagged.VlanId, VlanTag.None, tagged);
        }
        return frame.StrippedTpid == 0
            ? new EgressForms(_pvid, VlanTag.None, new VlanTag(_tpid, _pvid))
            : new EgressForms(_pvid, new VlanTag(frame.StrippedTpid, frame.StrippedTci), VlanTag.None);
    }

    /// <summary>
    /// Keeps the tagged form of batch frame <paramref name="index"/>, flooded to ports that send its VLAN tagged and to
    /// ports that send it untagged (so it kept no other tag), until EndRetag: SetRetagForm gives each port its form.
    /// </summary>
    public void KeepForRetag(int index, VlanTag tagged)
    {
        if (_retagTci[index] < 0)
        {
            _retagFrames[_retagCount++] = index;
        }
        _retagTci[index] = tagged.Tci;
    }

    /// <summary>Sets batch frame <paramref name="index"/> to the form <paramref name="port"/> sends it in, if KeepForRetag kept it.</summary>
    public void SetRetagForm(ref FrameRef frame, int index, VlanMembership vlans, int port)
    {
        int tci = _retagTci[index];
        if (tci < 0)
        {
            return; // every port it was queued for sends it in the form it is in
        }
        bool untagged = vlans.EgressOf((ushort)(tci & 0x0FFF))[port] == VlanEgress.Untagged;
        frame.StrippedTpid = untagged ? (ushort)0 : _tpid;
        frame.StrippedTci = untagged ? (ushort)0 : (ushort)tci;
    }

    /// <summary>Forgets what KeepForRetag kept, once the burst is sent.</summary>
    public void EndRetag()
    {
        foreach (int index in _retagFrames.AsSpan(0, _retagCount))
        {
            _retagTci[index] = -1;
        }
        _retagCount = 0;
    }
}

/// <summary>
/// A classified frame's VLAN and the two forms it leaves ports in: <paramref name="Untagged"/>, for ports that send
/// the VLAN untagged (no tag, or the other-TPID tag it kept); <paramref name="Tagged"/>, for those that send it tagged,
/// absent (VlanTag.None) when the frame cannot take the tag.
/// </summary>
public readonly record struct EgressForms(ushort Vlan, VlanTag Untagged, VlanTag Tagged)
{
    /// <summary>The form a port that sends the VLAN as <paramref name="egress"/> sends; false when there is none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGet(VlanEgress egress, out VlanTag form)
    {
        form = egress == VlanEgress.Untagged ? Untagged : Tagged;
        return egress == VlanEgress.Untagged || Tagged.IsPresent;
    }
}
