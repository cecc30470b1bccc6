// Tells systemd how the daemon is doing when it runs as a Type=notify service (systemd sets NOTIFY_SOCKET):
// READY=1 once every port forwards (each poll loop has run an iteration with the start-up port table)
// and the API listens; STOPPING=1 when a stop signal arrives; and, when the unit sets WatchdogSec=
// (systemd sets WATCHDOG_USEC), WATCHDOG=1 every half of that, but only while every poll loop advances
// (LoopProgress): a loop stuck in a system call or in a bug stops the pings, and systemd restarts the
// service. Started by hand, without NOTIFY_SOCKET, it sends nothing.
// The datagrams are sent by Microsoft.Extensions.Hosting.Systemd's SystemdNotifier; its SystemdLifetime
// serves the generic host, which DaemonLifetime is not, so the states are sent from here.
using System.Globalization;
using System.Net.Sockets;
using FastBridge.ControlPlane.Logging;
using FastBridge.Datapath.Forwarding;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace FastBridge.ControlPlane.Daemon;

internal sealed class ServiceNotifier : IDisposable
{
    /// <summary>How long the loops get to take the start-up port table: a blocked loop wakes every 100 ms.</summary>
    private static readonly TimeSpan s_firstIterationTimeout = TimeSpan.FromSeconds(2);

    private static readonly ServiceState s_watchdog = new("WATCHDOG=1");

    private readonly SystemdNotifier _notifier = new();
    private readonly LoopProgress _progress;
    private readonly ILogger _log;
    private readonly TimeSpan _watchdogInterval;
    private Timer? _watchdog;
    private bool _stallReported;
    private bool _sendFailureReported;

    public ServiceNotifier(IReadOnlyList<PollLoop> loops, ILogger log)
    {
        _progress = new LoopProgress(loops);
        _log = log;
        _watchdogInterval = WatchdogInterval();
    }

    /// <summary>
    /// Sends READY=1 once every loop has moved past the port table it started with, then starts feeding the
    /// watchdog; a loop that never moves leaves the service starting, until systemd's start timeout stops it.
    /// </summary>
    public void Ready()
    {
        if (!_notifier.IsEnabled)
        {
            return;
        }
        if (!_progress.WaitAllAdvanced(s_firstIterationTimeout))
        {
            _log.Trouble($"a poll loop has not run within {s_firstIterationTimeout.TotalSeconds:0} s of start; not telling systemd the service is ready");
            return;
        }
        Send(ServiceState.Ready);
        if (_watchdogInterval > TimeSpan.Zero)
        {
            _watchdog = new Timer(_ => FeedWatchdog(), null, _watchdogInterval, _watchdogInterval);
        }
    }

    public void Stopping()
    {
        if (_notifier.IsEnabled)
        {
            Send(ServiceState.Stopping);
        }
    }

    public void Dispose() => _watchdog?.Dispose();

    /// <summary>Pings only if every loop completed an iteration since the previous ping; says so once when one did not.</summary>
    private void FeedWatchdog()
    {
        int stalled = _progress.FirstStalled();
        if (stalled < 0)
        {
            Send(s_watchdog);
            _stallReported = false;
        }
        else if (!_stallReported)
        {
            _stallReported = true;
            _log.Trouble($"poll loop {stalled} has not advanced in {_watchdogInterval.TotalSeconds:0.#} s; systemd's watchdog is no longer fed");
        }
    }

    /// <summary>
    /// One datagram; a socket that went away (systemd re-executing, a test's listener closed) is said once and
    /// otherwise ignored, as sd_notify(3) returns an error: the switch keeps forwarding, and a missed ping
    /// is systemd's to act on.
    /// </summary>
    private void Send(ServiceState state)
    {
        try
        {
            _notifier.Notify(state);
        }
        catch (SocketException e) when (!_sendFailureReported)
        {
            _sendFailureReported = true;
            _log.Trouble($"cannot tell systemd {state}: {e.Message}");
        }
        catch (SocketException)
        {
        }
    }

    /// <summary>Half the watchdog period systemd asks for (sd_watchdog_enabled's rule), or zero when it asks for none or for another process.</summary>
    private static TimeSpan WatchdogInterval()
    {
        string? pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        if (pid is not null && pid != Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
        {
            return TimeSpan.Zero;
        }
        return long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out long usec) && usec > 0
            ? TimeSpan.FromMicroseconds(usec / 2)
            : TimeSpan.Zero;
    }
}
