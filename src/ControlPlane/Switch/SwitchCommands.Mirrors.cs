// The port mirror commands (issue 14) on the live switch: add, remove and list mirrors. A mirror is
// checked whole before anything changes (DatapathHost.AddMirror), so a bad name, port or direction
// changes nothing. API threads and the config diff.
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Hosting;

namespace FastBridge.ControlPlane.Switch;

internal sealed partial class SwitchCommands
{
    public void AddMirror(MirrorRequest? request)
    {
        if (request is null || string.IsNullOrEmpty(request.Name) || request.Src is null || request.Src.Length == 0 || string.IsNullOrEmpty(request.Dst))
        {
            throw new CommandRefusedException(400, "a mirror needs a name, src ports and a dst port");
        }
        try
        {
            Datapath.AddMirror(new MirrorSpec(request.Name, request.Src, ParseDirection(request.Direction ?? "both"), request.Dst));
        }
        catch (ArgumentException e)
        {
            throw new CommandRefusedException(400, EchoedText.Cut(e.Message));
        }
    }

    /// <summary>Removes a mirror; false if there is none of that name.</summary>
    public bool TryRemoveMirror(string name) => Datapath.RemoveMirror(name);

    public void RemoveMirror(string name)
    {
        if (!TryRemoveMirror(name))
        {
            throw new CommandRefusedException(404, $"unknown mirror {EchoedText.Cut(name)}");
        }
    }

    /// <summary>Each mirror with the copies its destination port sent and dropped (a port is the destination of one mirror at most).</summary>
    public MirrorInfo[] Mirrors()
    {
        IReadOnlyList<MirrorSpec> mirrors = Datapath.Mirrors();
        if (mirrors.Count == 0)
        {
            return [];
        }
        DatapathStats stats = Datapath.ReadStats();
        return [.. mirrors.Select(m =>
        {
            PortCounters counters = stats.Ports.First(p => p.Present && p.Name == m.Destination).Counters;
            return new MirrorInfo(m.Name, [.. m.Sources], DirectionName(m.Direction), m.Destination, counters.MirrorSent, counters.MirrorDropped);
        })];
    }

    internal static MirrorDirection ParseDirection(string text) => TryParseDirection(text, out MirrorDirection direction) ? direction
        : throw new CommandRefusedException(400, $"direction must be rx, tx or both, not '{EchoedText.Cut(text)}'");

    /// <summary>A mirror's direction from its word (rx, tx or both), as the API, the CLI and the config spell it.</summary>
    internal static bool TryParseDirection(string text, out MirrorDirection direction)
    {
        direction = text switch
        {
            "rx" => MirrorDirection.Rx,
            "tx" => MirrorDirection.Tx,
            "both" => MirrorDirection.Both,
            _ => 0,
        };
        return direction != 0;
    }

    internal static string DirectionName(MirrorDirection direction) => direction switch
    {
        MirrorDirection.Rx => "rx",
        MirrorDirection.Tx => "tx",
        _ => "both",
    };
}
