// Keeps the fast path's VLAN map (FastPathMaps.Vlans.cs) equal to the VLAN membership of the ports the fast
// path knows: a port's rules are written when it attaches and whenever a published membership differs for it,
// and deleted when it detaches. Unlike the FDB (FdbMirror, once a tick), this is written at once, from the
// control call that changes membership and before the poll loops are given the new one: the kernel must never
// redirect a frame by a membership the bridge no longer has. A port without rules in the map (not attached yet,
// or a write the kernel refused) is never redirected from or to: the program hands its frames to the poll loops.
// Control plane only, under DatapathHost's control lock.
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Xdp;

namespace FastBridge.Datapath.Hosting;

internal sealed class FastPathVlanMirror(FastPathMaps maps, int maxPorts)
{
    // Per port: its interface while attached (0: not), and the membership its rules were last written from.
    private readonly int[] _ifIndex = new int[maxPorts];
    private readonly VlanMembership?[] _writtenFrom = new VlanMembership?[maxPorts];
    private FastPathVlans _rules;

    /// <summary>The port's interface is in the bridge: its rules go to the map now.</summary>
    public void Attached(int port, int ifIndex, VlanMembership vlans)
    {
        Detached(port);
        _ifIndex[port] = ifIndex;
        Write(port, vlans);
    }

    /// <summary>The port's interface leaves the bridge: its rules leave the map now.</summary>
    public void Detached(int port)
    {
        if (_ifIndex[port] != 0)
        {
            maps.DeleteVlans(_ifIndex[port]);
            _ifIndex[port] = 0;
            _writtenFrom[port] = null;
        }
    }

    /// <summary>A new membership is about to be published: the rules of every attached port it changes are written now.</summary>
    public void Changed(VlanMembership vlans)
    {
        for (int port = 0; port < maxPorts; port++)
        {
            if (_ifIndex[port] == 0)
            {
                continue;
            }
            if (_writtenFrom[port] is not { } was || !vlans.SamePort(was, port))
            {
                Write(port, vlans);
            }
            else
            {
                _writtenFrom[port] = vlans;
            }
        }
    }

    private void Write(int port, VlanMembership vlans)
    {
        for (int vlan = 0; vlan < 4096; vlan++)
        {
            _rules.Rules[vlan] = !vlans.IsMember(port, (ushort)vlan) ? (byte)0
                : vlans.IsUntagged(port, (ushort)vlan) ? (byte)(FastPathVlanRules.Member | FastPathVlanRules.Untagged)
                : FastPathVlanRules.Member;
        }
        _rules.Pvid = vlans.Pvid(port);
        _writtenFrom[port] = vlans;
        if (!maps.WriteVlans(_ifIndex[port], _rules))
        {
            // Never leave older rules behind: without any the program hands the port's frames to the poll loops.
            maps.DeleteVlans(_ifIndex[port]);
            _writtenFrom[port] = null;
        }
    }
}
