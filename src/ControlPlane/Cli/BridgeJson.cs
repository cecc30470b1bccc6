// What `-j` prints for the FDB and the ports: the keys `bridge -j fdb show` and `bridge -j link`
// use for the same things (iproute2 bridge/fdb.c print_fdb, bridge/link.c), so a script written
// for the Linux bridge reads FastBridge too. The API keeps its own JSON (Api/ApiModels.cs): the
// daemon's tests, dashboards and any other client read it, and a CLI is where a shape meant for
// people who know `bridge` belongs. Other commands (status, stats) print the API's JSON as it is.
using System.Text.Json.Serialization;
using FastBridge.ControlPlane.Switch;

namespace FastBridge.ControlPlane.Cli;

/// <summary>
/// One FDB entry as `bridge -j fdb show` prints it. State is "static" for a static entry and ""
/// for a learned one (bridge's word for NUD_REACHABLE); Updated, seconds since the source was last
/// seen, is bridge's `-s` field, given here for learned entries always. Flags is always empty.
/// </summary>
internal sealed record BridgeFdbEntry(string Mac, string Ifname, int? Vlan, uint? Updated, string[] Flags, string State);

/// <summary>
/// One port as `bridge -j link` prints it where the two overlap: Ifname and State ("forwarding" or
/// "disabled"); Reason says why a port does not forward, Port and Backend are FastBridge's own.
/// </summary>
internal sealed record BridgeLink(string Ifname, int Port, string State, string? Reason, string Backend);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BridgeFdbEntry[]))]
[JsonSerializable(typeof(BridgeLink[]))]
internal sealed partial class BridgeJson : JsonSerializerContext
{
    public static BridgeFdbEntry[] Fdb(IEnumerable<FdbEntryInfo> entries) =>
        [.. entries.Select(e => new BridgeFdbEntry(e.Mac, e.Port, e.Vlan, e.Static ? null : e.AgeSeconds, [], e.Static ? "static" : ""))];

    /// <summary>Ports; a state other than "forwarding" ("disabled (no carrier)", "waiting for interface") is bridge's "disabled", the words kept as the reason.</summary>
    public static BridgeLink[] Links(IEnumerable<PortInfo> ports) =>
        [.. ports.Select(p => p.State == "forwarding"
            ? new BridgeLink(p.Name, p.Id, "forwarding", null, p.Backend)
            : new BridgeLink(p.Name, p.Id, "disabled", p.State, p.Backend))];
}
