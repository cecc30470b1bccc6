// What the management API sends and receives, as JSON with System.Text.Json source generation
// (no reflection at run time): the requests here, the answers as SwitchCommands returns them
// (Switch/SwitchReports.cs). The daemon and the CLI client share these types, so the two never
// disagree on a field name. Requests refuse keys they do not know, as the config does (a body of
// 1.5 M unknown keys passed as an ageing-time change, issue 10); answers are read leniently.
using System.Text.Json.Serialization;
using FastBridge.ControlPlane.Switch;

namespace FastBridge.ControlPlane.Api;

/// <summary>Every 4xx/5xx body: one line naming what is wrong.</summary>
internal sealed record ErrorResponse(string Error);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record PortRequest(string? Name);

/// <summary>`fdb add MAC dev IF [static]`.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record FdbRequest(string? Mac, string? Port, bool Static, string? Vlan = null);

/// <summary>`vlan add dev IF vid N[-M] [pvid] [untagged]`; Vid is "N" or "N-M".</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record VlanRequest(string? Dev, string? Vid, bool Pvid, bool Untagged);

internal sealed record FlushResponse(int Flushed);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record AgeingRequest(long? Seconds);

internal sealed record OkResponse(string Result);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(PortRequest))]
[JsonSerializable(typeof(PortInfo[]))]
[JsonSerializable(typeof(FdbRequest))]
[JsonSerializable(typeof(FdbEntryInfo[]))]
[JsonSerializable(typeof(FlushResponse))]
[JsonSerializable(typeof(VlanRequest))]
[JsonSerializable(typeof(VlanPortInfo[]))]
[JsonSerializable(typeof(AgeingRequest))]
[JsonSerializable(typeof(StatusInfo))]
[JsonSerializable(typeof(StatsInfo))]
[JsonSerializable(typeof(OkResponse))]
[JsonSerializable(typeof(PortPolicyChange))]
[JsonSerializable(typeof(MirrorRequest))]
[JsonSerializable(typeof(MirrorInfo[]))]
internal sealed partial class ApiJson : JsonSerializerContext;
