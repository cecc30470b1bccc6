using FastBridge.Datapath.Fdb;

namespace FastBridge.Tests.Datapath.Fdb;

/// <summary>Stations and snapshots for the FDB tests.</summary>
internal static class FdbTestTables
{
    public static readonly ulong StationA = FdbKey.Make(0x0200_0000_000AUL, 0);
    public static readonly ulong StationB = FdbKey.Make(0x0200_0000_000BUL, 0);
    public static readonly ulong StationC = FdbKey.Make(0x0200_0000_000CUL, 0);

    /// <summary>The table's entries as `fdb show` lists them.</summary>
    public static List<FdbEntry> Snapshot(this FdbTable table)
    {
        var entries = new List<FdbEntry>();
        table.CopyTo(entries);
        return entries;
    }
}
