// `fastbridge run` as a daemon: brings the switch up, serves the management API, prints a stats
// line every --stats-interval, and on SIGTERM/SIGINT stops serving, stops forwarding, restores the
// interfaces and exits 0. Start-up is all or nothing: any refusal is one line on stderr, exit 1,
// nothing left running or changed. The main thread only waits for signals; the API runs on
// Kestrel's threads and the datapath on its own poll threads.
using System.Net;
using System.Runtime.InteropServices;
using FastBridge.ControlPlane.Api;
using FastBridge.Datapath.Forwarding;

namespace FastBridge.ControlPlane.Daemon;

/// <param name="Socket">The API socket; null when none is served.</param>
/// <param name="SocketExplicit">Whether --socket was given: only the default yields to a daemon already on it.</param>
internal sealed record DaemonSettings(
    IReadOnlyList<string> Ports, BridgeOptions Bridge, int StatsIntervalSeconds, string? Socket, bool SocketExplicit, IPEndPoint? Http,
    string? ConfigFile = null);

internal static class DaemonRunner
{
    public static int Run(DaemonSettings settings)
    {
        using var stop = new CancellationTokenSource();
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        string? socket = settings.Socket;
        if (socket is not null && !settings.SocketExplicit && ApiHost.InUse(socket))
        {
            // Another daemon owns the default socket: this one forwards all the same, unmanaged.
            Console.Error.WriteLine($"fastbridge: another daemon is serving {socket}; this one runs without a local API (pass --socket PATH for one)");
            socket = null;
        }

        SwitchRunner runner;
        try
        {
            runner = SwitchRunner.Start(settings.Ports, settings.Bridge);
        }
        catch (Exception e)
        {
            // A refusal or a set-up failure (naming the interface and errno): one line, nothing left changed.
            Console.Error.WriteLine($"fastbridge: {e.Message}");
            return 1;
        }

        using (runner)
        {
            var info = new DaemonInfo("afpacket", socket, settings.Http?.ToString(), settings.ConfigFile);
            var control = new SwitchControl(runner, info);
            ApiHost? api = null;
            if (socket is not null || settings.Http is not null)
            {
                try
                {
                    api = ApiHost.Start(control, socket, settings.Http);
                }
                catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
                {
                    Console.Error.WriteLine($"fastbridge: {e.Message}");
                    return 1;
                }
            }
            using (api)
            {
                if (api is not null)
                {
                    Console.Out.WriteLine($"fastbridge: api on {string.Join(", ", new[] { socket is null ? null : "unix:" + socket, settings.Http is null ? null : $"http://{settings.Http}" }.Where(a => a is not null))}");
                }
                Console.Out.WriteLine($"fastbridge: forwarding on {settings.Ports.Count} ports ({string.Join(", ", settings.Ports)}), " +
                    $"{settings.Bridge.Workers} worker(s), afpacket backend, ageing {settings.Bridge.AgeingTimeSeconds} s");
                var stats = new StatsLine(runner.Bridge);
                TimeSpan interval = settings.StatsIntervalSeconds > 0 ? TimeSpan.FromSeconds(settings.StatsIntervalSeconds) : Timeout.InfiniteTimeSpan;
                while (!stop.Token.WaitHandle.WaitOne(interval))
                {
                    Console.Out.WriteLine(stats.Next());
                }
            }
        }
        Console.Out.WriteLine("fastbridge: stopped; interfaces restored");
        return 0;

        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }
}
