// Which port is in which VLAN, as `bridge vlan` has it with vlan_filtering 1: per port a PVID (the VLAN of
// untagged and priority-tagged ingress; 0 = none, such frames dropped), member VLANs 1-4094, and for each
// member whether it egresses untagged; per VLAN the member ports, precomputed here so a flood walks one
// list and never tests membership per frame, and how each port sends the VLAN (VlanEgress), so the forwarder
// learns membership and tagging of an egress port with one lookup. Immutable: the control plane builds a changed copy (only the
// touched port's bitmaps and the touched VLANs' lists are new) and publishes it with the port tables
// (PortSet.WithVlans), as ports are published. Poll loops only read it.
using System.Numerics;
using FastBridge.Datapath.Frames;

namespace FastBridge.Datapath.Forwarding;

public sealed class VlanMembership
{
    /// <summary>Lowest and highest VLAN id a port may be a member of (0 is priority-tagged, 4095 reserved).</summary>
    public const ushort MinVlan = 1;

    public const ushort MaxVlan = 4094;

    /// <summary>The Linux bridge's default_pvid.</summary>
    public const ushort DefaultPvid = 1;

    private const int Words = 4096 / 64;

    private readonly ushort[] _pvid;
    private readonly ulong[]?[] _members;
    private readonly ulong[]?[] _untagged;
    private readonly int[][] _flood;

    // Per VLAN: its members that send it untagged, and those that send it tagged (a flood sets each frame's tag once per kind).
    private readonly int[][] _untaggedFlood;
    private readonly int[][] _taggedFlood;

    // Per VLAN: VlanEgress by port; the shared all-NotMember array for a VLAN without members.
    private readonly VlanEgress[][] _egress;

    /// <summary>No port in any VLAN; <paramref name="tpid"/> is the tag VLANs are read from and written with (vlan_protocol).</summary>
    public VlanMembership(int capacity, ushort tpid = VlanTag.CustomerTpid, ushort defaultPvid = DefaultPvid)
    {
        if (!VlanTag.IsTpid(tpid))
        {
            throw new ArgumentException($"VLAN protocol 0x{tpid:x4} is neither 802.1Q (0x8100) nor 802.1ad (0x88a8)");
        }
        if (defaultPvid != 0)
        {
            RequireVlan(defaultPvid);
        }
        Tpid = tpid;
        DefaultPortPvid = defaultPvid;
        _pvid = new ushort[capacity];
        _members = new ulong[capacity][];
        _untagged = new ulong[capacity][];
        _flood = new int[4096][];
        Array.Fill(_flood, []);
        _untaggedFlood = new int[4096][];
        Array.Fill(_untaggedFlood, []);
        _taggedFlood = new int[4096][];
        Array.Fill(_taggedFlood, []);
        _egress = new VlanEgress[4096][];
        Array.Fill(_egress, new VlanEgress[capacity]);
    }

    private VlanMembership(VlanMembership from)
    {
        Tpid = from.Tpid;
        DefaultPortPvid = from.DefaultPortPvid;
        _pvid = (ushort[])from._pvid.Clone();
        _members = (ulong[]?[])from._members.Clone();
        _untagged = (ulong[]?[])from._untagged.Clone();
        _flood = (int[][])from._flood.Clone();
        _untaggedFlood = (int[][])from._untaggedFlood.Clone();
        _taggedFlood = (int[][])from._taggedFlood.Clone();
        _egress = (VlanEgress[][])from._egress.Clone();
    }

    /// <summary>The TPID of the tags this bridge filters on and pushes: 0x8100 (802.1Q) or 0x88a8 (802.1ad).</summary>
    public ushort Tpid { get; }

    /// <summary>The VLAN a port joins, as PVID and untagged, when it is added (0: none).</summary>
    public ushort DefaultPortPvid { get; }

    public int Capacity => _pvid.Length;

    /// <summary>The port's PVID; 0 when it has none.</summary>
    public ushort Pvid(int port) => _pvid[port];

    public bool IsMember(int port, ushort vlan) => _members[port] is { } words && (words[vlan >> 6] & (1UL << vlan)) != 0;

    /// <summary>Whether frames of <paramref name="vlan"/> leave <paramref name="port"/> untagged.</summary>
    public bool IsUntagged(int port, ushort vlan) => _untagged[port] is { } words && (words[vlan >> 6] & (1UL << vlan)) != 0;

    /// <summary>Whether <paramref name="port"/> has the same PVID, members and untagged flags here as in <paramref name="other"/>.</summary>
    public bool SamePort(VlanMembership other, int port) =>
        _pvid[port] == other._pvid[port] && SameWords(_members[port], other._members[port]) && SameWords(_untagged[port], other._untagged[port]);

    /// <summary>The member ports of <paramref name="vlan"/>, ascending: where its floods go.</summary>
    public ReadOnlySpan<int> FloodList(ushort vlan) => _flood[vlan];

    /// <summary>The member ports of <paramref name="vlan"/> that send it as <paramref name="sentAs"/> (Tagged or Untagged), ascending.</summary>
    public ReadOnlySpan<int> FloodList(ushort vlan, VlanEgress sentAs) => sentAs == VlanEgress.Untagged ? _untaggedFlood[vlan] : _taggedFlood[vlan];

    /// <summary>How each port, by id, sends frames of <paramref name="vlan"/> (0-4095; 0 and 4095 have no members).</summary>
    public ReadOnlySpan<VlanEgress> EgressOf(ushort vlan) => _egress[vlan];

    /// <summary>The VLANs port is a member of, ascending.</summary>
    public IEnumerable<ushort> VlansOf(int port)
    {
        for (int vlan = MinVlan; vlan <= MaxVlan; vlan++)
        {
            if (IsMember(port, (ushort)vlan))
            {
                yield return (ushort)vlan;
            }
        }
    }

    /// <summary>Throws, naming the value, unless <paramref name="vlan"/> is 1-4094.</summary>
    public static void RequireVlan(int vlan)
    {
        if (vlan is < MinVlan or > MaxVlan)
        {
            throw new ArgumentException($"invalid VLAN id {vlan}: must be {MinVlan}-{MaxVlan}");
        }
    }

    /// <summary>A copy with port added as a new port joins: in DefaultPortPvid as PVID, untagged (none when it is 0).</summary>
    public VlanMembership WithNewPort(int port)
    {
        VlanMembership next = WithoutPort(port);
        return DefaultPortPvid == 0 ? next : next.WithVlans(port, DefaultPortPvid, DefaultPortPvid, pvid: true, untagged: true);
    }

    /// <summary>A copy without any membership of <paramref name="port"/> (it left the bridge).</summary>
    public VlanMembership WithoutPort(int port)
    {
        var next = new VlanMembership(this);
        ulong[]? old = _members[port];
        next._pvid[port] = 0;
        next._members[port] = null;
        next._untagged[port] = null;
        next.RebuildVlans(old);
        return next;
    }

    /// <summary>
    /// A copy with port a member of VLANs first..last (`bridge vlan add`): untagged or tagged on egress as asked
    /// (a VLAN already there takes the new flag, as the bridge does); with <paramref name="pvid"/> the range must be
    /// one VLAN, which becomes the port's PVID; without it, a PVID in the range stops being one (__vlan_add_flags).
    /// Throws, naming the value, on a VLAN outside 1-4094 or a PVID range.
    /// </summary>
    public VlanMembership WithVlans(int port, ushort first, ushort last, bool pvid, bool untagged)
    {
        RequireRange(first, last);
        if (pvid && first != last)
        {
            throw new ArgumentException($"a port has one PVID: {first}-{last} is a range");
        }
        var next = new VlanMembership(this);
        ulong[] members = next._members[port] = (ulong[]?)_members[port]?.Clone() ?? new ulong[Words];
        ulong[] untaggedWords = next._untagged[port] = (ulong[]?)_untagged[port]?.Clone() ?? new ulong[Words];
        for (int vlan = first; vlan <= last; vlan++)
        {
            members[vlan >> 6] |= 1UL << vlan;
            if (untagged)
            {
                untaggedWords[vlan >> 6] |= 1UL << vlan;
            }
            else
            {
                untaggedWords[vlan >> 6] &= ~(1UL << vlan);
            }
        }
        if (pvid)
        {
            next._pvid[port] = first;
        }
        else if (_pvid[port] >= first && _pvid[port] <= last)
        {
            next._pvid[port] = 0;
        }
        next.RebuildVlans(members);
        return next;
    }

    /// <summary>A copy with port out of VLANs first..last (`bridge vlan del`); its PVID goes if it is among them.</summary>
    public VlanMembership WithoutVlans(int port, ushort first, ushort last)
    {
        RequireRange(first, last);
        if (_members[port] is not { } old)
        {
            return this;
        }
        var next = new VlanMembership(this);
        ulong[] members = next._members[port] = (ulong[])old.Clone();
        ulong[] untaggedWords = next._untagged[port] = (ulong[])_untagged[port]!.Clone();
        for (int vlan = first; vlan <= last; vlan++)
        {
            members[vlan >> 6] &= ~(1UL << vlan);
            untaggedWords[vlan >> 6] &= ~(1UL << vlan);
        }
        if (_pvid[port] >= first && _pvid[port] <= last)
        {
            next._pvid[port] = 0;
        }
        next.RebuildVlans(old);
        return next;
    }

    private static bool SameWords(ulong[]? a, ulong[]? b) => ReferenceEquals(a, b) || (a ?? new ulong[Words]).AsSpan().SequenceEqual(b ?? new ulong[Words]);

    private static void RequireRange(ushort first, ushort last)
    {
        RequireVlan(first);
        RequireVlan(last);
        if (last < first)
        {
            throw new ArgumentException($"invalid VLAN range {first}-{last}: the end is below the start");
        }
    }

    /// <summary>
    /// Recomputes the flood lists and egress tables of the VLANs set in <paramref name="touched"/> (a port's bitmap
    /// before or after a change).
    /// </summary>
    private void RebuildVlans(ulong[]? touched)
    {
        if (touched is null)
        {
            return;
        }
        var ports = new List<int>();
        for (int word = 0; word < Words; word++)
        {
            for (ulong bits = touched[word]; bits != 0; bits &= bits - 1)
            {
                ushort vlan = (ushort)(word * 64 + BitOperations.TrailingZeroCount(bits));
                ports.Clear();
                var egress = new VlanEgress[_members.Length];
                for (int port = 0; port < _members.Length; port++)
                {
                    if (IsMember(port, vlan))
                    {
                        ports.Add(port);
                        egress[port] = IsUntagged(port, vlan) ? VlanEgress.Untagged : VlanEgress.Tagged;
                    }
                }
                _flood[vlan] = [.. ports];
                _untaggedFlood[vlan] = [.. ports.Where(port => egress[port] == VlanEgress.Untagged)];
                _taggedFlood[vlan] = [.. ports.Where(port => egress[port] == VlanEgress.Tagged)];
                // VLAN 0 never has members: its table is the shared all-NotMember one.
                _egress[vlan] = ports.Count == 0 ? _egress[0] : egress;
            }
        }
    }
}
