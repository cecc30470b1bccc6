// Port flags while the loops run: a change publishes to every loop a table with the new flags (the
// flood lists worked out again there), the RCU way, as a port change does; the loops never lock.
// Flags belong to the port id while the port is in the bridge; removing the port forgets them, so a
// port added again starts from the defaults, as on the Linux bridge. Control plane only.
using FastBridge.Datapath.Forwarding;

namespace FastBridge.Datapath.Hosting;

public sealed partial class DatapathHost
{
    /// <summary>The flags of port <paramref name="id"/> now (the defaults for an id no port holds). Takes no lock.</summary>
    public PortFlags PortFlagsOf(int id) => _loops[0].Ports.Policy.Flags(id);

    /// <summary>Sets a present port's flags; every loop forwards by them from its next iteration. Throws KeyNotFoundException for an unknown port.</summary>
    public void SetPortFlags(string name, PortFlags flags)
    {
        lock (_control)
        {
            PublishFlags(RequirePresent(name), flags);
        }
    }

    /// <summary>Gives a removed port's id the default flags again. Under the control lock.</summary>
    private void ForgetFlags(int id) => PublishFlags(id, PortFlags.Default);

    private void PublishFlags(int id, PortFlags flags)
    {
        foreach (PollLoop loop in _loops)
        {
            loop.Publish(loop.Ports.WithFlags(id, flags));
        }
    }
}
