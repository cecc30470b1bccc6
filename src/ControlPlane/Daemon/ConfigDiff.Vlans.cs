// VLAN membership as desired state: a port whose entries differ between the running config and the wanted one
// (or that was just added) gets exactly the wanted VLANs, through the same SwitchCommands as `vlan add|del`.
// VLANs it keeps are never deleted, so their traffic and FDB entries stay; vlanFiltering, vlanProtocol and
// defaultPvid need a restart.
using FastBridge.ControlPlane.Switch;

namespace FastBridge.ControlPlane.Daemon;

internal static partial class ConfigDiff
{
    private static void AddVlanCommands(List<ConfigCommand> commands, DaemonConfig running, IReadOnlyCollection<string> presentPorts, DaemonConfig wanted)
    {
        Unchangeable(commands, "vlanFiltering", running.Datapath.VlanFiltering, wanted.Datapath.VlanFiltering);
        Unchangeable(commands, "vlanProtocol", running.Datapath.VlanProtocol, wanted.Datapath.VlanProtocol);
        Unchangeable(commands, "defaultPvid", running.Datapath.DefaultPvid, wanted.Datapath.DefaultPvid);
        if (!running.Datapath.VlanFiltering || !wanted.Datapath.VlanFiltering)
        {
            return;
        }
        foreach (string port in wanted.Ports)
        {
            bool added = !presentPorts.Contains(port, StringComparer.Ordinal);
            IReadOnlyList<PortVlans> entries = wanted.VlansOf(port);
            if (!running.VlansOf(port).SequenceEqual(entries) || (added && wanted.Vlans.Any(v => v.Port == port)))
            {
                commands.Add(new ConfigCommand.SetVlans(port, entries));
            }
        }
    }

    /// <summary>Takes the port out of the VLANs it should not be in, then adds each wanted entry (which sets its flags).</summary>
    internal static void SetVlans(SwitchCommands control, ConfigCommand.SetVlans vlans)
    {
        VlanPortInfo? current = control.Vlans().FirstOrDefault(p => p.Ifname == vlans.Port);
        foreach (VlanInfo vlan in current?.Vlans ?? [])
        {
            if (!vlans.Entries.Any(e => e.Range.Contains((ushort)vlan.Vlan)))
            {
                control.VlanDel(vlans.Port, vlan.Vlan.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        foreach (PortVlans entry in vlans.Entries)
        {
            control.VlanAdd(vlans.Port, entry.Range.ToString(), entry.Pvid, entry.Untagged);
        }
    }
}
