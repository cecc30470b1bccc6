// The VLAN commands of a VLAN-aware switch (`bridge vlan add|del|show`) and the VLAN of FDB commands, for the
// API and the config diff. Refusals name the value: an unknown port (404), a VLAN id outside 1-4094, a PVID
// on a range, a bridge that is not VLAN-aware (400); a refused command changes nothing. API threads.
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Forwarding;

namespace FastBridge.ControlPlane.Switch;

internal sealed partial class SwitchCommands
{
    public bool VlanFiltering => Datapath.Vlans is not null;

    /// <summary>Every present port's VLANs with `bridge vlan show`'s flags ("PVID", "Egress Untagged").</summary>
    public VlanPortInfo[] Vlans()
    {
        VlanMembership vlans = RequireVlanAware();
        return [.. Datapath.PresentPorts().Select(p => new VlanPortInfo(p.Name, [.. vlans.VlansOf(p.Id).Select(v =>
            new VlanInfo(v, [.. (vlans.Pvid(p.Id) == v ? ["PVID"] : Array.Empty<string>()), .. (vlans.IsUntagged(p.Id, v) ? ["Egress Untagged"] : Array.Empty<string>())]))]))];
    }

    /// <summary>FDB entries of each VLAN some port is a member of (so the series are bounded by the configured VLANs), ascending.</summary>
    public IEnumerable<(ushort Vlan, int Entries)> FdbEntriesByVlan()
    {
        VlanMembership vlans = RequireVlanAware();
        var counts = new int[VlanMembership.MaxVlan + 2];
        Datapath.Fdb.CountByVlan(counts);
        for (ushort vlan = VlanMembership.MinVlan; vlan <= VlanMembership.MaxVlan; vlan++)
        {
            if (!vlans.FloodList(vlan).IsEmpty)
            {
                yield return (vlan, counts[vlan]);
            }
        }
    }

    /// <summary>`vlan add dev IF vid N[-M] [pvid] [untagged]`; returns the one-line answer.</summary>
    public string VlanAdd(string? dev, string? vid, bool pvid, bool untagged)
    {
        (string port, VlanRange range) = VlanTarget(dev, vid);
        Refusing(() => Datapath.AddVlans(port, range.First, range.Last, pvid, untagged));
        return $"vlan {range} added to {port}{(pvid ? " pvid" : "")}{(untagged ? " untagged" : "")}";
    }

    /// <summary>`vlan del dev IF vid N[-M]`; the port's FDB entries in those VLANs go too.</summary>
    public string VlanDel(string? dev, string? vid)
    {
        (string port, VlanRange range) = VlanTarget(dev, vid);
        Refusing(() => Datapath.DeleteVlans(port, range.First, range.Last));
        return $"vlan {range} removed from {port}";
    }

    /// <summary>The VLAN of an FDB command: 0 when none is given on a bridge that is not VLAN-aware, else one of 1-4094 on a VLAN-aware one.</summary>
    internal ushort FdbVlan(string vlan)
    {
        if (VlanRange.TryParse(vlan, out string? problem) is not { } range || range.First != range.Last)
        {
            throw new CommandRefusedException(400, problem ?? $"one VLAN id, not the range {vlan}");
        }
        RequireVlanAware();
        return range.First;
    }

    /// <summary>The VLANs `fdb add` without a vlan adds to: VLAN 0 when not VLAN-aware, else every VLAN of the port (as br_fdb_add does).</summary>
    private ushort[] FdbAddVlans(string? vlan, int port)
    {
        if (vlan is null)
        {
            return Datapath.Vlans is { } vlans ? [.. vlans.VlansOf(port)] : [0];
        }
        ushort vid = FdbVlan(vlan);
        return RequireVlanAware().IsMember(port, vid) ? [vid]
            : throw new CommandRefusedException(400, $"{Datapath.PortNames[port]} is not a member of vlan {vid} (vlan add dev {Datapath.PortNames[port]} vid {vid} first)");
    }

    /// <summary>The keys `fdb del` removes: the MAC in the VLAN given, else in VLAN 0 when not VLAN-aware, else in every VLAN it is in.</summary>
    private ulong[] FdbDelKeys(ulong mac, string? vlan)
    {
        if (vlan is not null || !VlanFiltering)
        {
            return [FdbKey.Make(mac, vlan is null ? (ushort)0 : FdbVlan(vlan))];
        }
        var entries = new List<FdbEntry>();
        Datapath.Fdb.CopyTo(entries);
        return [.. entries.Where(e => FdbKey.Mac(e.Key) == mac).Select(e => e.Key)];
    }

    private (string Port, VlanRange Range) VlanTarget(string? dev, string? vid)
    {
        RequireVlanAware();
        if (dev is null)
        {
            throw new CommandRefusedException(400, "vlan commands need dev IF");
        }
        RequirePort(dev);
        return VlanRange.TryParse(vid, out string? problem) is { } range ? (dev, range) : throw new CommandRefusedException(400, problem!);
    }

    private VlanMembership RequireVlanAware() =>
        Datapath.Vlans ?? throw new CommandRefusedException(400, "the bridge is not VLAN-aware (start it with --vlan-filtering)");

    private static void Refusing(Action change)
    {
        try
        {
            change();
        }
        catch (ArgumentException e)
        {
            throw new CommandRefusedException(400, e.Message);
        }
        catch (KeyNotFoundException e)
        {
            throw new CommandRefusedException(404, e.Message);
        }
    }
}
