// The port policy commands (issue 14) on the live switch: read and change a port's flags. Each change
// is checked whole before anything is set, so a bad flag name changes nothing. API threads and the
// config diff; the datapath publishes the new flags to the loops (DatapathHost.Policy.cs).
using FastBridge.Datapath.Forwarding;

namespace FastBridge.ControlPlane.Switch;

internal sealed partial class SwitchCommands
{
    /// <summary>Turns the named flags on (true) or off of a port, the others as they are; returns the port's flags as `port show` prints them.</summary>
    public string ChangePortFlags(string name, IReadOnlyDictionary<string, bool>? changes)
    {
        int id = RequirePort(name);
        if (changes is null || changes.Count == 0)
        {
            throw new CommandRefusedException(400, $"no flag to set (known: {PortFlagNames.Known})");
        }
        if (!PortFlagNames.TryApply(Datapath.PortFlagsOf(id), changes, out PortFlags flags, out string? unknown))
        {
            throw new CommandRefusedException(400, $"unknown port flag '{EchoedText.Cut(unknown)}' (known: {PortFlagNames.Known})");
        }
        SetPortFlags(name, flags);
        return PortFlagNames.Format(flags);
    }

    /// <summary>Sets every flag of a port at once (the config's flags for it).</summary>
    public void SetPortFlags(string name, PortFlags flags)
    {
        RequirePort(name);
        try
        {
            Datapath.SetPortFlags(name, flags);
        }
        catch (KeyNotFoundException)
        {
            throw new CommandRefusedException(404, $"unknown port {EchoedText.Cut(name)}");
        }
    }
}
