// The commands an operator (through the API) or a reloaded config (through the diff) runs on the
// live switch: add and remove ports, show and edit the FDB, set the ageing time, read status and
// stats. Each refusal is a CommandRefusedException carrying an HTTP status and one line naming what is
// wrong. Runs on API threads; never waits on a poll loop beyond a port removal's bounded retire.
using System.Diagnostics;
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Frames;
using FastBridge.Datapath.Hosting;

namespace FastBridge.ControlPlane.Switch;

/// <summary>What the daemon was started with, for status; Backend is the one asked for (auto, afxdp, afpacket).</summary>
internal sealed record DaemonInfo(string Backend, string? Socket, string? Http, string? Config)
{
    public long StartedAt { get; } = Stopwatch.GetTimestamp();

    public static string Version { get; } =
        typeof(DaemonInfo).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}

internal sealed partial class SwitchCommands(SwitchHost host, DaemonInfo info)
{
    private DatapathHost Datapath => host.Datapath;

    public DaemonInfo Info => info;

    public string BackendOf(string port) => host.BackendOf(port);

    public PortInfo[] Ports() => [.. Datapath.PresentPorts().Select(p =>
        new PortInfo(p.Name, p.Id, Datapath.States.IsUp(p.Id), host.Describe(p.Id), host.BackendOf(p.Name), PortPolicyText.Format(Datapath.PortPolicyOf(p.Id)),
            host.FastPathOf(p.Name)))];

    public void AddPort(string? name)
    {
        string? problem = InterfaceNameProblem(name);
        if (name is null || problem is not null)
        {
            throw new CommandRefusedException(400, problem!);
        }
        if (Datapath.PortId(name) >= 0)
        {
            throw new CommandRefusedException(409, $"port {name} is already present");
        }
        try
        {
            host.AddPort(name);
        }
        catch (PortRefusedException e)
        {
            throw new CommandRefusedException(400, e.Message);
        }
        catch (InvalidOperationException e)
        {
            throw new CommandRefusedException(e.Message.Contains("already present", StringComparison.Ordinal) ? 409 : 400, e.Message);
        }
    }

    public void RemovePort(string name)
    {
        RequirePort(name);
        try
        {
            host.RemovePort(name);
        }
        catch (KeyNotFoundException)
        {
            throw new CommandRefusedException(404, $"unknown port {EchoedText.Cut(name)}");
        }
    }

    public FdbEntryInfo[] Fdb(string? port)
    {
        int only = port is null ? -1 : RequirePort(port);
        bool vlanAware = VlanFiltering;
        var entries = new List<FdbEntry>();
        Datapath.Fdb.CopyTo(entries);
        uint now = FdbClock.Now;
        return [.. entries
            .Where(e => only < 0 || e.Port == only)
            .OrderBy(e => e.Port).ThenBy(e => FdbKey.VlanId(e.Key)).ThenBy(e => FdbKey.Mac(e.Key))
            .Select(e => new FdbEntryInfo(MacAddress.Format(FdbKey.Mac(e.Key)), PortName(e.Port),
                e.IsStatic, e.IsStatic ? null : now >= e.LastSeen ? now - e.LastSeen : 0, vlanAware ? FdbKey.VlanId(e.Key) : null))];
    }

    public void FdbAdd(string? mac, string? port, bool isStatic, string? vlan = null)
    {
        ulong key = ParseMac(mac);
        if (port is null)
        {
            throw new CommandRefusedException(400, "fdb add needs dev IF");
        }
        int id = RequirePort(port);
        foreach (ushort vid in FdbAddVlans(vlan, id))
        {
            ulong vlanKey = FdbKey.Make(FdbKey.Mac(key), vid);
            bool added = isStatic ? Datapath.Fdb.AddStatic(vlanKey, id) : Datapath.Fdb.AddDynamic(vlanKey, id, FdbClock.Now);
            if (!added)
            {
                throw new CommandRefusedException(409, $"the FDB is full ({Datapath.Fdb.MaxEntries} entries); {mac} not added");
            }
        }
        Datapath.SyncFastPath();
    }

    /// <summary>
    /// Removes <paramref name="mac"/>'s entries (of VLAN <paramref name="vlan"/>, or of every VLAN); with <paramref name="port"/>
    /// (`fdb del MAC dev IF`) only if they are on that port.
    /// </summary>
    public void FdbDel(string? mac, string? port = null, string? vlan = null)
    {
        ulong[] keys = FdbDelKeys(FdbKey.Mac(ParseMac(mac)), vlan);
        if (port is not null)
        {
            int wanted = RequirePort(port);
            foreach (ulong key in keys)
            {
                int found = Datapath.Fdb.Lookup(key);
                if (found != FdbTable.Miss && found != wanted)
                {
                    throw new CommandRefusedException(409, $"{mac} is on {PortName(found)}, not on {EchoedText.Cut(port)}; nothing removed");
                }
            }
        }
        int removed = 0;
        foreach (ulong key in keys)
        {
            removed += Datapath.Fdb.Remove(key) ? 1 : 0;
        }
        if (removed == 0)
        {
            throw new CommandRefusedException(404, $"no FDB entry for {mac}");
        }
        Datapath.SyncFastPath();
    }

    /// <summary>Removes dynamic entries (all, one port's, one VLAN's), as `bridge fdb flush` does by default; static ones stay.</summary>
    public int FdbFlush(string? port, string? vlan = null)
    {
        int flushed = vlan is not null ? Datapath.Fdb.FlushVlan(FdbVlan(vlan), port is null ? -1 : RequirePort(port))
            : port is null ? Datapath.Fdb.FlushAll() : Datapath.Fdb.FlushPort(RequirePort(port));
        // At once, not at the next tick: a flushed station still in the map would have its frames cross in the
        // kernel, unseen by the poll loops, so it would not be learned again, and then leave the map and be flooded to.
        Datapath.SyncFastPath();
        return flushed;
    }

    public void SetAgeingTime(long? seconds)
    {
        if (seconds is not { } s || s < FdbAger.MinAgeingTimeSeconds || s > FdbAger.MaxAgeingTimeSeconds)
        {
            throw new CommandRefusedException(400, $"ageing time must be between {FdbAger.MinAgeingTimeSeconds} and {FdbAger.MaxAgeingTimeSeconds} seconds, not {seconds?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "missing"}");
        }
        Datapath.AgeingTimeSeconds = (uint)s;
    }

    public StatusInfo Status() => new(
        DaemonInfo.Version, Environment.ProcessId, Stopwatch.GetElapsedTime(info.StartedAt).TotalSeconds, info.Backend,
        Datapath.Loops.Count, Datapath.AgeingTimeSeconds, Datapath.Fdb.Count, Datapath.Fdb.MaxEntries,
        [.. Datapath.PresentPorts().Select(p => p.Name)], info.Socket, info.Http, info.Config);

    public DatapathStats ReadStats() => Datapath.ReadStats();

    public int FdbMaxEntries => Datapath.Fdb.MaxEntries;

    public uint AgeingTimeSeconds => Datapath.AgeingTimeSeconds;

    public StatsInfo Stats()
    {
        DatapathStats stats = Datapath.ReadStats();
        var ports = stats.Ports.Select(p =>
        {
            var drops = new Dictionary<string, ulong>(DropReasons.Count);
            for (int r = 0; r < DropReasons.Count; r++)
            {
                drops[DropReasons.Label((DropReason)r)] = p.Counters.Drops[r];
            }
            PortCounters c = p.Counters;
            return new PortStatsInfo(p.Name, p.Present, p.Up, c.RxPackets, c.RxBytes, c.TxPackets, c.TxBytes, c.Floods, drops, c.FdbLimitHits,
                p.FastPath.RxPackets, p.FastPath.TxPackets);
        }).ToArray();
        var workers = stats.Loops.Select(w =>
            new WorkerStatsInfo(w.Index, w.Batches, w.Frames, w.AverageBatch, w.BusySeconds, w.LoopSeconds, w.BusyRatio)).ToArray();
        return new StatsInfo(ports, workers,
            new FdbStatsInfo(stats.FdbEntries, Datapath.Fdb.MaxEntries, stats.Fdb.Learned, stats.Fdb.Moved, stats.Aged, stats.Fdb.Full));
    }

    /// <summary>Why <paramref name="name"/> cannot name an interface, or null; one too long for Linux (IFNAMSIZ - 1) is refused before a lookup that would echo it whole.</summary>
    internal static string? InterfaceNameProblem(string? name) =>
        string.IsNullOrWhiteSpace(name) ? "name must be a string naming an interface"
        : name.Length > 15 ? $"'{EchoedText.Cut(name)}' is longer than an interface name may be (15 characters)"
        : null;

    /// <summary>A port's name, or #ID for one whose name is no longer known.</summary>
    private string PortName(int id)
    {
        IReadOnlyList<string> names = Datapath.PortNames;
        return id < names.Count ? names[id] : $"#{id}";
    }

    private int RequirePort(string name)
    {
        int id = Datapath.PortId(name);
        return id >= 0 ? id : throw new CommandRefusedException(404, $"unknown port {EchoedText.Cut(name)}");
    }

    internal static ulong ParseMac(string? mac)
    {
        if (mac is null || !MacAddress.TryParse(mac, out ulong value))
        {
            throw new CommandRefusedException(400, $"malformed MAC address '{EchoedText.Cut(mac)}' (want aa:bb:cc:dd:ee:ff)");
        }
        if (MacAddress.IsGroup(value) || MacAddress.IsZero(value))
        {
            throw new CommandRefusedException(400, $"{mac} is not a unicast address; the FDB holds unicast stations only");
        }
        return FdbKey.Make(value, 0);
    }
}
