// What SwitchCommands answers: ports, FDB entries, status and stats as plain records, which the API
// sends as JSON (Api/ApiModels.cs) and the CLI prints. Built on request threads, never on a poll loop.
namespace FastBridge.ControlPlane.Switch;

/// <summary>A port; Policy as `port show` prints it ("learning on flood on ...", PortPolicyText); FastPath "on" or "off (why)".</summary>
internal sealed record PortInfo(string Name, int Id, bool Up, string State, string Backend, string Policy, string FastPath = "off");

/// <summary>One FDB entry as `bridge fdb show` has it; AgeSeconds is null for static entries, which never age; Vlan null while the bridge is not VLAN-aware.</summary>
internal sealed record FdbEntryInfo(string Mac, string Port, bool Static, uint? AgeSeconds, int? Vlan = null);

/// <summary>One port's VLANs as `bridge -j vlan show` has them.</summary>
internal sealed record VlanPortInfo(string Ifname, VlanInfo[] Vlans);

/// <summary>One VLAN of a port; Flags as `bridge vlan show` words them: "PVID", "Egress Untagged".</summary>
internal sealed record VlanInfo(int Vlan, string[] Flags);

internal sealed record StatusInfo(
    string Version, int Pid, double UptimeSeconds, string Backend, int Workers, uint AgeingTimeSeconds,
    int FdbEntries, int FdbMaxEntries, IReadOnlyList<string> Ports, string? Socket, string? Http, string? Config);

internal sealed record PortStatsInfo(
    string Name, bool Present, bool Up, ulong RxPackets, ulong RxBytes, ulong TxPackets, ulong TxBytes, ulong Floods,
    Dictionary<string, ulong> Drops, ulong FdbLimitHits = 0, ulong FastPathRxPackets = 0, ulong FastPathTxPackets = 0);

internal sealed record WorkerStatsInfo(int Index, ulong Batches, ulong Frames, double AverageBatch, double BusySeconds, double LoopSeconds, double BusyRatio);

internal sealed record FdbStatsInfo(int Entries, int MaxEntries, long Learned, long Moved, long Aged, long Full);

internal sealed record StatsInfo(IReadOnlyList<PortStatsInfo> Ports, IReadOnlyList<WorkerStatsInfo> Workers, FdbStatsInfo Fdb);
