// What the management API sends and receives, as JSON with System.Text.Json source generation
// (no reflection at run time). The daemon and the CLI client share these types, so the two never
// disagree on a field name. Requests refuse keys they do not know, as the config does (a body of
// 1.5 M unknown keys passed as an ageing-time change, issue 10); answers are read leniently.
using System.Text.Json.Serialization;

namespace FastBridge.ControlPlane.Api;

/// <summary>Every 4xx/5xx body: one line naming what is wrong.</summary>
internal sealed record ErrorResponse(string Error);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record PortRequest(string? Name);

internal sealed record PortInfo(string Name, int Id, bool Up, string State, string Backend);

/// <summary>`fdb add MAC dev IF [static]`.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record FdbRequest(string? Mac, string? Port, bool Static);

/// <summary>One FDB entry as `bridge fdb show` has it; AgeSeconds is null for static entries, which never age.</summary>
internal sealed record FdbEntryInfo(string Mac, string Port, bool Static, uint? AgeSeconds);

internal sealed record FlushResponse(int Flushed);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record AgeingRequest(long? Seconds);

internal sealed record StatusInfo(
    string Version, int Pid, double UptimeSeconds, string Backend, int Workers, uint AgeingTimeSeconds,
    int FdbEntries, int FdbMaxEntries, IReadOnlyList<string> Ports, string? Socket, string? Http, string? Config);

internal sealed record PortStatsInfo(
    string Name, bool Present, bool Up, ulong RxPackets, ulong RxBytes, ulong TxPackets, ulong TxBytes, ulong Floods,
    Dictionary<string, ulong> Drops);

internal sealed record WorkerStatsInfo(int Index, ulong Batches, ulong Frames, double AverageBatch, double BusySeconds, double LoopSeconds, double BusyRatio);

internal sealed record FdbStatsInfo(int Entries, int MaxEntries, long Learned, long Moved, long Aged, long Full);

internal sealed record StatsInfo(IReadOnlyList<PortStatsInfo> Ports, IReadOnlyList<WorkerStatsInfo> Workers, FdbStatsInfo Fdb);

internal sealed record OkResponse(string Result);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(PortRequest))]
[JsonSerializable(typeof(PortInfo[]))]
[JsonSerializable(typeof(FdbRequest))]
[JsonSerializable(typeof(FdbEntryInfo[]))]
[JsonSerializable(typeof(FlushResponse))]
[JsonSerializable(typeof(AgeingRequest))]
[JsonSerializable(typeof(StatusInfo))]
[JsonSerializable(typeof(StatsInfo))]
[JsonSerializable(typeof(OkResponse))]
internal sealed partial class ApiJson : JsonSerializerContext;
