// Port mirrors while the loops run: adding or removing one publishes to every loop a port table with the
// new MirrorTable, the RCU way, as a policy change does; the loops never lock. A mirror names its ports,
// and is checked whole before anything changes: every port present, the destination no source and no
// other mirror's port, the name new. Removing a port removes the mirrors that name it. Control plane only.
using FastBridge.Datapath.Forwarding;

namespace FastBridge.Datapath.Hosting;

/// <summary>A mirror as the control plane names it: ports by name.</summary>
public sealed record MirrorSpec(string Name, IReadOnlyList<string> Sources, MirrorDirection Direction, string Destination);

public sealed partial class DatapathHost
{
    /// <summary>The mirrors now, ports by name. Takes no lock.</summary>
    public IReadOnlyList<MirrorSpec> Mirrors()
    {
        string[] names = Volatile.Read(ref _names);
        IReadOnlyList<Mirror> all = _loops[0].Ports.Mirrors?.All ?? [];
        return [.. all.Select(m => new MirrorSpec(m.Name, [.. m.Sources.Select(s => names[s])], m.Direction, names[m.Destination]))];
    }

    /// <summary>Adds a mirror; every loop copies by it from its next iteration. Throws ArgumentException (one line naming the value) for a bad one, changing nothing.</summary>
    public void AddMirror(MirrorSpec spec)
    {
        lock (_control)
        {
            IReadOnlyList<Mirror> all = _loops[0].Ports.Mirrors?.All ?? [];
            if (all.Any(m => m.Name == spec.Name))
            {
                throw new ArgumentException($"mirror {spec.Name} already exists");
            }
            if (spec.Sources.Count == 0)
            {
                throw new ArgumentException($"mirror {spec.Name} has no source port");
            }
            if (spec.Sources.Contains(spec.Destination))
            {
                throw new ArgumentException($"mirror destination {spec.Destination} is also a source");
            }
            int destination = RequireMirrorPort(spec.Destination);
            int[] sources = [.. spec.Sources.Distinct().Select(RequireMirrorPort)];
            foreach (Mirror other in all)
            {
                if (other.Destination == destination || other.Sources.Contains(destination))
                {
                    throw new ArgumentException($"port {spec.Destination} is already in mirror {other.Name}");
                }
                if (sources.FirstOrDefault(s => s == other.Destination, -1) is int taken and >= 0)
                {
                    throw new ArgumentException($"port {Volatile.Read(ref _names)[taken]} is the destination of mirror {other.Name}");
                }
            }
            PublishMirrors([.. all, new Mirror(spec.Name, sources, spec.Direction, destination)]);
        }
    }

    /// <summary>Removes a mirror; false if there is none of that name.</summary>
    public bool RemoveMirror(string name)
    {
        lock (_control)
        {
            IReadOnlyList<Mirror> all = _loops[0].Ports.Mirrors?.All ?? [];
            if (!all.Any(m => m.Name == name))
            {
                return false;
            }
            PublishMirrors([.. all.Where(m => m.Name != name)]);
            return true;
        }
    }

    /// <summary>Removes the mirrors that name port <paramref name="id"/>, which is leaving. Under the control lock.</summary>
    private void ForgetMirrors(int id)
    {
        IReadOnlyList<Mirror> all = _loops[0].Ports.Mirrors?.All ?? [];
        if (all.Any(m => m.Destination == id || m.Sources.Contains(id)))
        {
            PublishMirrors([.. all.Where(m => m.Destination != id && !m.Sources.Contains(id))]);
        }
    }

    private int RequireMirrorPort(string name) =>
        _ids.TryGetValue(name, out int id) && _present[id] ? id : throw new ArgumentException($"unknown port {name}");

    private void PublishMirrors(IReadOnlyList<Mirror> mirrors)
    {
        MirrorTable? table = MirrorTable.Of(mirrors, _maxPorts);
        foreach (PollLoop loop in _loops)
        {
            loop.Publish(loop.Ports.WithMirrors(table));
        }
        SyncMirror(); // the mirrored ports out of the fast path now, not at the next tick
    }
}
