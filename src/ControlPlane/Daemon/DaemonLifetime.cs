// `fastbridge run` as a daemon: brings the switch up with the config's ports and static entries,
// serves the management API, prints a stats line every statsInterval, re-reads the config on
// SIGHUP and applies the difference, and on SIGTERM/SIGINT stops serving, stops forwarding,
// restores the interfaces and exits 0. Start-up is all or nothing: any refusal is one line on
// stderr, exit 1, nothing left running or changed. The main thread only waits for signals; the API
// runs on Kestrel's threads and the datapath on its own poll threads.
using System.Runtime.InteropServices;
using FastBridge.ControlPlane.Api;
using FastBridge.ControlPlane.Metrics;
using FastBridge.ControlPlane.Switch;

namespace FastBridge.ControlPlane.Daemon;

internal static class DaemonLifetime
{
    public static int Run(DaemonConfig config, Func<DaemonConfig> reload)
    {
        using var stop = new ManualResetEvent(false);
        using var hangup = new AutoResetEvent(false);
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnStop);
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnStop);
        using PosixSignalRegistration sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => { c.Cancel = true; hangup.Set(); });

        string? socket = config.Socket;
        if (!config.SocketExplicit && ApiHost.InUse(socket))
        {
            // Another daemon owns the default socket: this one forwards all the same, unmanaged.
            Console.Error.WriteLine($"fastbridge: another daemon is serving {socket}; this one runs without a local API (pass --socket PATH for one)");
            socket = null;
        }

        SwitchHost host;
        try
        {
            host = SwitchHost.Start(config.Ports, config.Datapath, PortOpener.ParseKind(config.Backend), PortOpener.ParseXdpMode(config.XdpMode));
        }
        catch (Exception e)
        {
            // A refusal or a set-up failure (naming the interface and errno): one line, nothing left changed.
            Console.Error.WriteLine($"fastbridge: {e.Message}");
            return 1;
        }

        using (host)
        {
            var control = new SwitchCommands(host, new DaemonInfo(config.Backend, socket, config.Http?.ToString(), config.File));
            ApiHost? api = null;
            try
            {
                foreach (StaticFdbEntry entry in config.StaticFdb)
                {
                    control.FdbAdd(entry.Mac, entry.Port, isStatic: true);
                }
                api = socket is not null || config.Http is not null ? ApiHost.Start(control, socket, config.Http, config.HttpToken) : null;
            }
            catch (Exception e) when (e is CommandRefusedException or InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"fastbridge: {e.Message}");
                return 1;
            }
            using (api)
            {
                if (api is not null)
                {
                    Console.Out.WriteLine($"fastbridge: api on {string.Join(", ", new[] { socket is null ? null : "unix:" + socket, config.Http is null ? null : $"http://{config.Http}" }.Where(a => a is not null))}");
                }
                Console.Out.WriteLine($"fastbridge: forwarding on {config.Ports.Count} ports ({string.Join(", ", config.Ports)}), " +
                    $"{config.Datapath.Workers} worker(s), ageing {config.Datapath.AgeingTimeSeconds} s");
                var stats = new StatsLine(control);
                TimeSpan interval = config.StatsIntervalSeconds > 0 ? TimeSpan.FromSeconds(config.StatsIntervalSeconds) : Timeout.InfiniteTimeSpan;
                WaitHandle[] events = [stop, hangup];
                int woken;
                while ((woken = WaitHandle.WaitAny(events, interval)) != 0)
                {
                    if (woken == 1)
                    {
                        config = Reload(config, reload, control);
                    }
                    else
                    {
                        Console.Out.WriteLine(stats.Next());
                    }
                }
            }
        }
        Console.Out.WriteLine("fastbridge: stopped; interfaces restored");
        return 0;

        void OnStop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Set();
        }
    }

    /// <summary>SIGHUP: load the config again and apply the difference; a bad config changes nothing.</summary>
    private static DaemonConfig Reload(DaemonConfig running, Func<DaemonConfig> reload, SwitchCommands control)
    {
        string source = running.File is null ? "command line" : $"config {running.File}";
        try
        {
            DaemonConfig wanted = reload();
            List<ConfigCommand> commands = ConfigDiff.Compute(running, [.. control.Ports().Select(p => p.Name)],
                control.AgeingTimeSeconds, wanted);
            List<string> log = ConfigDiff.Apply(commands, control, source);
            Console.Out.WriteLine(log.Count == 0
                ? $"fastbridge: reloaded {source}: nothing to change"
                : $"fastbridge: reloaded {source}: {string.Join("; ", log)}");
            // What now runs: the new config, but with the settings that need a restart as they were.
            return wanted with
            {
                Backend = running.Backend,
                XdpMode = running.XdpMode,
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
            Console.Error.WriteLine($"fastbridge: reload refused, nothing changed: {e.Message}");
            return running;
        }
    }
}
