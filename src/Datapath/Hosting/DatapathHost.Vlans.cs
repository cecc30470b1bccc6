// VLAN membership changing while the loops run (`bridge vlan add/del`), on a VLAN-aware bridge: each change
// builds a new VlanMembership (its flood lists precomputed there) and publishes it in every loop's next
// port table, the RCU way ports are published (DatapathHost.Ports.cs). A port leaving VLANs loses its FDB
// entries in them once every loop has moved past the swap (as br_vlan_delete flushes by port and VLAN), so
// no loop learns one back from the old table. Control plane only, under the control lock.
using FastBridge.Datapath.Forwarding;

namespace FastBridge.Datapath.Hosting;

public sealed partial class DatapathHost
{
    private VlanMembership? _vlans;

    /// <summary>The VLAN membership the loops forward with; null when the bridge is not VLAN-aware.</summary>
    public VlanMembership? Vlans => Volatile.Read(ref _vlans);

    /// <summary>
    /// Makes port a member of VLANs first..last (`bridge vlan add dev IF vid A[-B] [pvid] [untagged]`). Throws,
    /// changing nothing and naming the value, on an unknown port, a VLAN outside 1-4094, a PVID range, or a
    /// bridge that is not VLAN-aware.
    /// </summary>
    public void AddVlans(string port, ushort first, ushort last, bool pvid, bool untagged)
    {
        lock (_control)
        {
            int id = RequirePresent(port);
            PublishVlans(RequireVlanAware().WithVlans(id, first, last, pvid, untagged));
        }
    }

    /// <summary>Takes port out of VLANs first..last and flushes its FDB entries in them, static ones too. Throws as AddVlans does.</summary>
    public void DeleteVlans(string port, ushort first, ushort last)
    {
        lock (_control)
        {
            int id = RequirePresent(port);
            VlanMembership before = RequireVlanAware();
            PublishVlans(before.WithoutVlans(id, first, last));
            WaitForLoops(CurrentEpochs(), DefaultRetireTimeout);
            for (int vlan = first; vlan <= last; vlan++)
            {
                if (before.IsMember(id, (ushort)vlan))
                {
                    Fdb.FlushVlan((ushort)vlan, id, withStatic: true);
                }
            }
        }
    }

    private VlanMembership RequireVlanAware() =>
        _vlans ?? throw new InvalidOperationException("the bridge is not VLAN-aware (start it with --vlan-filtering)");

    /// <summary>A port added to a VLAN-aware bridge joins the default PVID, untagged, as in the Linux bridge.</summary>
    private void JoinDefaultVlan(int id)
    {
        if (_vlans is not null)
        {
            Volatile.Write(ref _vlans, _vlans.WithNewPort(id));
        }
    }

    /// <summary>A port leaving the bridge leaves all its VLANs.</summary>
    private void LeaveVlans(int id)
    {
        if (_vlans is not null)
        {
            PublishVlans(_vlans.WithoutPort(id));
        }
    }

    private void PublishVlans(VlanMembership vlans)
    {
        MirrorVlans(vlans); // the kernel's redirects follow before the loops do: none by a membership gone
        Volatile.Write(ref _vlans, vlans);
        foreach (PollLoop loop in _loops)
        {
            loop.Publish(loop.Ports.WithVlans(vlans));
        }
    }
}
