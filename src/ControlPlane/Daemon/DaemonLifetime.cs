// `fastbridge run` as a daemon: brings the switch up with the config's ports and static entries,
// serves the management API, logs a stats line every statsInterval, re-reads the config on
// SIGHUP and applies the difference, and on SIGTERM/SIGINT stops serving, stops forwarding,
// restores the interfaces and exits 0. Start-up is all or nothing: any refusal is one line on
// stderr, exit 1, nothing left running or changed. The main thread only waits for signals; the API
// runs on Kestrel's threads and the datapath on its own poll threads.
using System.Runtime.InteropServices;
using FastBridge.ControlPlane.Api;
using FastBridge.ControlPlane.Logging;
using FastBridge.ControlPlane.Metrics;
using FastBridge.ControlPlane.Switch;
using FastBridge.Datapath.Forwarding;
using Microsoft.Extensions.Logging;

namespace FastBridge.ControlPlane.Daemon;

internal static class DaemonLifetime
{
    public static int Run(DaemonConfig config, Func<DaemonConfig> reload, ILoggerFactory logs)
    {
        ILogger log = logs.CreateLogger(DaemonLog.Category);
        using var stop = new ManualResetEvent(false);
        using var hangup = new AutoResetEvent(false);
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnStop);
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnStop);
        using PosixSignalRegistration sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => { c.Cancel = true; hangup.Set(); });

        string? socket = config.Socket;
        if (!config.SocketExplicit && ApiHost.InUse(socket))
        {
            // Another daemon owns the default socket: this one forwards all the same, unmanaged.
            log.SocketTaken(socket);
            socket = null;
        }

        SwitchHost host;
        try
        {
            host = SwitchHost.Start(config.Ports, config.Datapath, PortOpener.ParseKind(config.Backend), PortOpener.ParseXdpMode(config.XdpMode), log,
                FastPathModes.Parse(config.FastPath));
        }
        catch (Exception e)
        {
            // A refusal or a set-up failure (naming the interface and errno): one line, nothing left changed.
            log.Refused(e.Message);
            return 1;
        }

        using (host)
        {
            var control = new SwitchCommands(host, new DaemonInfo(config.Backend, socket, config.Http?.ToString(), config.File));
            ApiHost? api = null;
            try
            {
                foreach (string port in config.Vlans.Select(v => v.Port).Distinct())
                {
                    ConfigDiff.SetVlans(control, new ConfigCommand.SetVlans(port, config.VlansOf(port)));
                }
                foreach (StaticFdbEntry entry in config.StaticFdb)
                {
                    control.FdbAdd(entry.Mac, entry.Port, isStatic: true);
                }
                foreach ((string port, PortPolicy policy) in config.PolicyByPort ?? new Dictionary<string, PortPolicy>())
                {
                    control.SetPortPolicy(port, policy);
                }
                foreach (MirrorRequest mirror in config.Mirrors)
                {
                    control.AddMirror(mirror);
                }
                api = socket is not null || config.Http is not null ? ApiHost.Start(control, socket, config.Http, config.HttpToken) : null;
            }
            catch (Exception e) when (e is CommandRefusedException or InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                log.Refused(e.Message);
                return 1;
            }
            using (api)
            {
                if (api is not null)
                {
                    log.ApiOn(string.Join(", ", new[] { socket is null ? null : "unix:" + socket, config.Http is null ? null : $"http://{config.Http}" }.Where(a => a is not null)));
                }
                log.Forwarding(config.Ports.Count, string.Join(", ", config.Ports), config.Datapath.Workers, config.Datapath.AgeingTimeSeconds);
                using var service = new ServiceNotifier(host.Datapath.Loops, log);
                service.Ready();
                var stats = new StatsLine(control);
                ILogger statsLog = logs.CreateLogger(DaemonLog.StatsCategory);
                TimeSpan interval = config.StatsIntervalSeconds > 0 ? TimeSpan.FromSeconds(config.StatsIntervalSeconds) : Timeout.InfiniteTimeSpan;
                WaitHandle[] events = [stop, hangup];
                int woken;
                while ((woken = WaitHandle.WaitAny(events, interval)) != 0)
                {
                    if (woken == 1)
                    {
                        config = Reload(config, reload, control, log);
                    }
                    else
                    {
                        statsLog.Stats(stats.Next());
                    }
                }
                service.Stopping();
            }
        }
        log.Stopped();
        return 0;

        void OnStop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Set();
        }
    }

    /// <summary>SIGHUP: load the config again and apply the difference; a bad config changes nothing.</summary>
    private static DaemonConfig Reload(DaemonConfig running, Func<DaemonConfig> reload, SwitchCommands control, ILogger log)
    {
        string source = running.File is null ? "command line" : $"config {running.File}";
        try
        {
            DaemonConfig wanted = reload();
            List<ConfigCommand> commands = ConfigDiff.Compute(running, [.. control.Ports().Select(p => p.Name)],
                control.AgeingTimeSeconds, wanted);
            List<string> applied = ConfigDiff.Apply(commands, control, source);
            log.Reloaded(source, applied.Count == 0 ? "nothing to change" : string.Join("; ", applied));
            // What now runs: the new config, but with the settings that need a restart as they were.
            return wanted with
            {
                Backend = running.Backend,
                XdpMode = running.XdpMode,
                FastPath = running.FastPath,
                Datapath = running.Datapath with { AgeingTimeSeconds = wanted.Datapath.AgeingTimeSeconds },
                StatsIntervalSeconds = running.StatsIntervalSeconds,
                Socket = running.Socket,
                SocketExplicit = running.SocketExplicit,
                Http = running.Http,
                HttpToken = running.HttpToken,
            };
        }
        catch (ConfigException e)
        {
            log.ReloadRefused(e.Message);
            return running;
        }
    }
}
