// Every line the daemon logs, declared once, with its level: Information for what it does, Warning
// for trouble it works around, Error for what stops it. [LoggerMessage] generates the logging code,
// so a message costs nothing when its level is off and its text lives in one file.
using Microsoft.Extensions.Logging;

namespace FastBridge.ControlPlane.Logging;

internal static partial class DaemonLog
{
    /// <summary>The category of the daemon's own lines, and their prefix.</summary>
    public const string Category = "fastbridge";

    /// <summary>The category, and prefix, of the periodic stats line.</summary>
    public const string StatsCategory = "stats";

    [LoggerMessage(Level = LogLevel.Error, Message = "{Problem}")]
    public static partial void Refused(this ILogger log, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Trouble}")]
    public static partial void Trouble(this ILogger log, string trouble);

    [LoggerMessage(Level = LogLevel.Information, Message = "port {Port}: {Backend}")]
    public static partial void PortBackend(this ILogger log, string port, string backend);

    [LoggerMessage(Level = LogLevel.Warning, Message = "port {Port} is down ({Reason}); its FDB entries are flushed, the other ports keep forwarding, and it is re-opened")]
    public static partial void PortFailed(this ILogger log, string port, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "port {Port} is disabled ({Reason}); its FDB entries are flushed, the other ports keep forwarding; `fastbridge port enable {Port}` puts it back")]
    public static partial void PortShutDown(this ILogger log, string port, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MAC {Mac} (VLAN {Vlan}) moved {Moves} times in a second between ports {Ports}: a loop? {Action}")]
    public static partial void MacFlap(this ILogger log, string mac, int vlan, int moves, string ports, string action);

    [LoggerMessage(Level = LogLevel.Warning, Message = "a poll loop did not let go of {Port} within {Seconds} s; its handles close at exit")]
    public static partial void RetireTimedOut(this ILogger log, string port, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "port {Port}: MTU changed from {From} to {To}; re-opening it")]
    public static partial void MtuChanged(this ILogger log, string port, int from, int to);

    [LoggerMessage(Level = LogLevel.Warning, Message = "port {Port} is {State}; {Flushed} dynamic FDB entries flushed, the other ports keep forwarding")]
    public static partial void PortDisabled(this ILogger log, string port, string state, int flushed);

    [LoggerMessage(Level = LogLevel.Information, Message = "port {Port} is forwarding again")]
    public static partial void PortForwardingAgain(this ILogger log, string port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "port {Port} is down ({Reason}); its FDB entries are flushed and it waits for {Interface} to come back")]
    public static partial void PortVanished(this ILogger log, string port, string reason, string @interface);

    [LoggerMessage(Level = LogLevel.Information, Message = "port {Port} is attached again (ifindex {IfIndex})")]
    public static partial void PortAttachedAgain(this ILogger log, string port, int ifIndex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "port {Port} cannot be attached yet: {Problem}; trying again every second")]
    public static partial void PortNotAttachedYet(this ILogger log, string port, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "another daemon is serving {Socket}; this one runs without a local API (pass --socket PATH for one)")]
    public static partial void SocketTaken(this ILogger log, string socket);

    [LoggerMessage(Level = LogLevel.Information, Message = "api on {Endpoints}")]
    public static partial void ApiOn(this ILogger log, string endpoints);

    [LoggerMessage(Level = LogLevel.Information, Message = "forwarding on {Count} ports ({Ports}), {Workers} worker(s), ageing {Ageing} s")]
    public static partial void Forwarding(this ILogger log, int count, string ports, int workers, uint ageing);

    [LoggerMessage(Level = LogLevel.Information, Message = "stopped; interfaces restored")]
    public static partial void Stopped(this ILogger log);

    [LoggerMessage(Level = LogLevel.Information, Message = "reloaded {Source}: {Changes}")]
    public static partial void Reloaded(this ILogger log, string source, string changes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "reload refused, nothing changed: {Problem}")]
    public static partial void ReloadRefused(this ILogger log, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Line}")]
    public static partial void Stats(this ILogger log, string line);

    [LoggerMessage(Level = LogLevel.Warning, Message = "fast path off: {Why}")]
    public static partial void FastPathOff(this ILogger log, string why);

    [LoggerMessage(Level = LogLevel.Information, Message = "port {Port}: fast-path {State} ({Why})")]
    public static partial void PortFastPath(this ILogger log, string port, string state, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "port {Port}: fast-path check failed, staying on until it reads again or fails for {Ticks} s in a row ({Why})")]
    public static partial void PortFastPathUnreadable(this ILogger log, string port, int ticks, string why);
}
