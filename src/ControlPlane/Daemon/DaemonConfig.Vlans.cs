// The VLAN part of the daemon's config: vlanFiltering (true/false), vlanProtocol ("802.1q" or "802.1ad"),
// defaultPvid (0-4094, 0 = none) and "vlans", a list of {port, vid: "N" or "N-M", pvid, untagged} as
// `bridge vlan add` takes them. A port listed there has exactly its entries; a port not listed keeps the
// default (defaultPvid, untagged). Refused, naming the key and the value: a VLAN id of 0 or 4095, an unknown
// port, overlapping ranges on one port, more than one PVID per port, vlans without vlanFiltering.
using System.Globalization;
using FastBridge.ControlPlane.Switch;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Frames;
using Microsoft.Extensions.Configuration;

namespace FastBridge.ControlPlane.Daemon;

/// <summary>One `vlans` entry: port joins the VLANs of Range, as PVID and untagged if asked.</summary>
internal sealed record PortVlans(string Port, VlanRange Range, bool Pvid, bool Untagged);

internal sealed partial record DaemonConfig
{
    private static readonly string[] s_vlanKeys = ["port", "vid", "pvid", "untagged"];

    /// <summary>The ports' VLAN entries from the config, in the order given; empty when none (or not VLAN-aware).</summary>
    public IReadOnlyList<PortVlans> Vlans { get; init; } = [];

    private sealed partial class Reader
    {
        /// <summary>vlanFiltering, vlanProtocol, defaultPvid.</summary>
        private (bool Filtering, ushort Tpid, ushort DefaultPvid) VlanSettings()
        {
            bool filtering = Bool("vlanFiltering");
            string protocol = root["vlanProtocol"] ?? "802.1q";
            ushort tpid = protocol.ToLowerInvariant() switch
            {
                "802.1q" => VlanTag.CustomerTpid,
                "802.1ad" => VlanTag.ServiceTpid,
                _ => throw Bad("vlanProtocol", $"'{EchoedText.Cut(protocol)}' must be 802.1q or 802.1ad"),
            };
            return (filtering, tpid, (ushort)Int("defaultPvid", VlanMembership.DefaultPvid, 0, VlanMembership.MaxVlan));
        }

        private List<PortVlans> VlanEntries(string[] ports, bool filtering)
        {
            var entries = new List<PortVlans>();
            foreach (IConfigurationSection entry in root.GetSection("vlans").GetChildren())
            {
                if (!filtering)
                {
                    throw Bad("vlans", "VLAN membership needs vlanFiltering true");
                }
                if (entry.GetChildren().FirstOrDefault(k => !s_vlanKeys.Contains(k.Key, StringComparer.OrdinalIgnoreCase)) is { } unknown)
                {
                    throw Bad(unknown.Path, $"unknown key (known: {string.Join(", ", s_vlanKeys)})");
                }
                string port = entry["port"] ?? throw Bad(entry.Path + ":port", "missing");
                if (!ports.Contains(port, StringComparer.Ordinal))
                {
                    throw Bad(entry.Path + ":port", $"{EchoedText.Cut(port)} is not one of the ports ({string.Join(", ", ports)})");
                }
                if (VlanRange.TryParse(entry["vid"] ?? throw Bad(entry.Path + ":vid", "missing"), out string? problem) is not { } range)
                {
                    throw Bad(entry.Path + ":vid", problem!);
                }
                var vlans = new PortVlans(port, range, Bool(entry.Path + ":pvid"), Bool(entry.Path + ":untagged"));
                if (vlans.Pvid && range.First != range.Last)
                {
                    throw Bad(entry.Path + ":pvid", $"a port has one PVID: {range} is a range");
                }
                if (entries.FirstOrDefault(e => e.Port == port && e.Range.Overlaps(range)) is { } overlapped)
                {
                    throw Bad(entry.Path + ":vid", $"{range} overlaps {overlapped.Range} on {port}");
                }
                if (vlans.Pvid && entries.FirstOrDefault(e => e.Port == port && e.Pvid) is { } other)
                {
                    throw Bad(entry.Path + ":pvid", $"{port} has PVID {other.Range} already; a port has one PVID");
                }
                entries.Add(vlans);
            }
            return entries;
        }

        private bool Bool(string key)
        {
            string? text = root[key];
            if (text is null)
            {
                return false;
            }
            return bool.TryParse(text, out bool value) ? value : throw Bad(key, $"'{EchoedText.Cut(text)}' must be true or false");
        }
    }

    /// <summary>Port's VLAN entries: the config's, or the default membership a port joins (PVID defaultPvid, untagged).</summary>
    public IReadOnlyList<PortVlans> VlansOf(string port)
    {
        PortVlans[] listed = [.. Vlans.Where(v => v.Port == port)];
        if (listed.Length > 0 || Datapath.DefaultPvid == 0)
        {
            return listed;
        }
        ushort pvid = Datapath.DefaultPvid;
        return [new PortVlans(port, new VlanRange(pvid, pvid), Pvid: true, Untagged: true)];
    }

    internal static string Describe(PortVlans vlans) =>
        string.Create(CultureInfo.InvariantCulture, $"{vlans.Range}{(vlans.Pvid ? " pvid" : "")}{(vlans.Untagged ? " untagged" : "")}");
}
