// Configuration as desired state: a reloaded config is compared with what runs and turned into the
// commands that close the gap (remove and add ports, set the ageing time, add and remove the
// config's static FDB entries), applied through the same SwitchCommands the API uses. Unchanged
// ports are never touched, so their traffic never stops. Settings that cannot change while
// running (workers, backend, FDB size, listen addresses...) are reported, and keep their value.
using System.Globalization;
using FastBridge.ControlPlane.Switch;
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Ports;

namespace FastBridge.ControlPlane.Daemon;

internal abstract partial record ConfigCommand
{
    public sealed record AddPort(string Name) : ConfigCommand;

    public sealed record RemovePort(string Name) : ConfigCommand;

    public sealed record SetAgeingTime(uint Seconds) : ConfigCommand;

    public sealed record AddStatic(string Mac, string Port) : ConfigCommand;

    public sealed record RemoveStatic(string Mac) : ConfigCommand;

    /// <summary>Gives a port exactly these VLANs (ConfigDiff.Vlans.cs).</summary>
    public sealed record SetVlans(string Port, IReadOnlyList<PortVlans> Entries) : ConfigCommand;
    public sealed record SetPortPolicy(string Name, PortPolicy Policy) : ConfigCommand;

    /// <summary>A setting that needs a restart to change; the running value stays.</summary>
    public sealed record NeedsRestart(string Key, string Running, string Wanted) : ConfigCommand;
}

internal static partial class ConfigDiff
{
    /// <summary>
    /// The commands that take the switch from what runs (<paramref name="running"/>, the config last
    /// applied, and <paramref name="presentPorts"/>, the ports there now, CLI changes included) to <paramref name="wanted"/>.
    /// </summary>
    public static List<ConfigCommand> Compute(DaemonConfig running, IReadOnlyCollection<string> presentPorts, uint runningAgeing, DaemonConfig wanted)
    {
        var commands = new List<ConfigCommand>();
        Unchangeable(commands, "workers", running.Datapath.Workers, wanted.Datapath.Workers);
        Unchangeable(commands, "cpus", string.Join(',', running.Datapath.Cpus ?? []), string.Join(',', wanted.Datapath.Cpus ?? []));
        Unchangeable(commands, "backend", running.Backend, wanted.Backend);
        Unchangeable(commands, "xdpMode", running.XdpMode, wanted.XdpMode);
        Unchangeable(commands, "fastPath", running.FastPath, wanted.FastPath);
        Unchangeable(commands, "fdbMax", running.Datapath.FdbMaxEntries, wanted.Datapath.FdbMaxEntries);
        Unchangeable(commands, "groupFwdMask", running.Datapath.GroupForwardMask, wanted.Datapath.GroupForwardMask);
        Unchangeable(commands, "idle", running.Datapath.Idle, wanted.Datapath.Idle);
        Unchangeable(commands, "statsInterval", running.StatsIntervalSeconds, wanted.StatsIntervalSeconds);
        Unchangeable(commands, "socket", running.Socket, wanted.Socket);
        Unchangeable(commands, "http", running.Http?.ToString() ?? "", wanted.Http?.ToString() ?? "");
        Unchangeable(commands, "httpTokenFile", running.HttpToken, wanted.HttpToken);

        // Static entries the old config made and the new one moves or drops go first, before their port may go.
        foreach (StaticFdbEntry old in running.StaticFdb)
        {
            if (!wanted.StaticFdb.Contains(old))
            {
                commands.Add(new ConfigCommand.RemoveStatic(old.Mac));
            }
        }
        foreach (string port in presentPorts.Where(p => !wanted.Ports.Contains(p, StringComparer.Ordinal)))
        {
            commands.Add(new ConfigCommand.RemovePort(port));
        }
        foreach (string port in wanted.Ports.Where(p => !presentPorts.Contains(p, StringComparer.Ordinal)))
        {
            commands.Add(new ConfigCommand.AddPort(port));
        }
        if (wanted.Datapath.AgeingTimeSeconds != runningAgeing)
        {
            commands.Add(new ConfigCommand.SetAgeingTime(wanted.Datapath.AgeingTimeSeconds));
        }
        AddVlanCommands(commands, running, presentPorts, wanted);
        foreach (StaticFdbEntry entry in wanted.StaticFdb)
        {
            // Re-added when its port was re-added too: removing a port flushes its static entries.
            bool portReAdded = commands.Contains(new ConfigCommand.AddPort(entry.Port));
            if (!running.StaticFdb.Contains(entry) || portReAdded)
            {
                commands.Add(new ConfigCommand.AddStatic(entry.Mac, entry.Port));
            }
        }
        PortPolicyChanges(commands, running, wanted);
        MirrorChanges(commands, running, wanted);
        return commands;
    }

    /// <summary>
    /// Checks every port to add before changing anything (a reload is refused whole), then applies
    /// the commands in order; returns one line per command for the log.
    /// </summary>
    public static List<string> Apply(IReadOnlyList<ConfigCommand> commands, SwitchCommands control, string source)
    {
        foreach (ConfigCommand.AddPort add in commands.OfType<ConfigCommand.AddPort>())
        {
            try
            {
                NetInterface.Inspect(add.Name);
            }
            catch (PortRefusedException e)
            {
                throw new ConfigException($"{source}: key 'ports': {e.Message}");
            }
        }
        var log = new List<string>();
        foreach (ConfigCommand command in commands)
        {
            try
            {
                log.Add(Run(command, control));
            }
            catch (CommandRefusedException e)
            {
                log.Add($"{Describe(command)} failed: {e.Message}");
            }
        }
        return log;
    }

    private static string Run(ConfigCommand command, SwitchCommands control)
    {
        switch (command)
        {
            case ConfigCommand.AddPort add:
                control.AddPort(add.Name);
                break;
            case ConfigCommand.RemovePort remove:
                control.RemovePort(remove.Name);
                break;
            case ConfigCommand.SetAgeingTime ageing:
                control.SetAgeingTime(ageing.Seconds);
                break;
            case ConfigCommand.AddStatic add:
                control.FdbAdd(add.Mac, add.Port, isStatic: true);
                break;
            case ConfigCommand.SetVlans vlans:
                SetVlans(control, vlans);
                break;
            case ConfigCommand.SetPortPolicy set:
                control.SetPortPolicy(set.Name, set.Policy);
                break;
            case ConfigCommand.AddMirror or ConfigCommand.RemoveMirror:
                RunMirror(command, control);
                break;
            case ConfigCommand.RemoveStatic remove:
                try
                {
                    control.FdbDel(remove.Mac);
                }
                catch (CommandRefusedException e) when (e.Status == 404)
                {
                    // Already gone (its port was removed, or by hand): the goal is met.
                }
                break;
        }
        return Describe(command);
    }

    private static string Describe(ConfigCommand command) => command switch
    {
        ConfigCommand.AddPort add => $"port {add.Name} added",
        ConfigCommand.RemovePort remove => $"port {remove.Name} removed",
        ConfigCommand.SetAgeingTime ageing => string.Create(CultureInfo.InvariantCulture, $"ageing time set to {ageing.Seconds} s"),
        ConfigCommand.AddStatic add => $"static entry {add.Mac} dev {add.Port} added",
        ConfigCommand.RemoveStatic remove => $"static entry {remove.Mac} removed",
        ConfigCommand.SetVlans vlans => $"port {vlans.Port} vlans {string.Join(", ", vlans.Entries.Select(DaemonConfig.Describe))}",
        ConfigCommand.SetPortPolicy set => $"port {set.Name} {PortPolicyText.Format(set.Policy)}",
        ConfigCommand.AddMirror or ConfigCommand.RemoveMirror => DescribeMirror(command),
        ConfigCommand.NeedsRestart restart => $"{restart.Key} stays {restart.Running}: changing it to {restart.Wanted} needs a restart",
        _ => command.ToString(),
    };

    private static void Unchangeable<T>(List<ConfigCommand> commands, string key, T running, T wanted)
    {
        if (!EqualityComparer<T>.Default.Equals(running, wanted))
        {
            commands.Add(new ConfigCommand.NeedsRestart(key, Convert.ToString(running, CultureInfo.InvariantCulture) ?? "",
                Convert.ToString(wanted, CultureInfo.InvariantCulture) ?? ""));
        }
    }
}
