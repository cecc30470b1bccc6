// Backend handles on their way out, and what they counted. A removed port's handles stay
// readable (listed here as retiring) from the table swap until every loop has moved on; then their
// backend drop counts are folded into per-id totals and they are closed. One lock, taken by the
// control plane only (port removal and stats readers), keeps a reader from seeing a handle twice,
// not at all, or after it was closed. Poll loops never touch this.
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Ports;

namespace FastBridge.Datapath.Hosting;

internal sealed class PortRetirement
{
    private readonly object _lock = new();
    private readonly List<(int Id, IPort[] Handles)> _retiring = [];
    private readonly ulong[][] _retiredDrops;

    public PortRetirement(int capacity)
    {
        _retiredDrops = new ulong[capacity][];
    }

    /// <summary>Runs <paramref name="swap"/> (the table publication) and lists the handles as retiring, atomically for readers.</summary>
    public void Retiring(Action swap, int id, IPort[] handles)
    {
        lock (_lock)
        {
            swap();
            _retiring.Add((id, handles));
        }
    }

    /// <summary>Folds the handles' backend drops into the port's totals and closes them; no loop uses them any more.</summary>
    public void Retire(int id, IPort[] handles)
    {
        lock (_lock)
        {
            ulong[] totals = _retiredDrops[id] ??= new ulong[DropReasons.Count];
            foreach (IPort handle in handles)
            {
                handle.AddBackendDrops(totals);
                handle.Dispose();
            }
            _retiring.RemoveAll(r => r.Handles == handles);
        }
    }

    public T Read<T>(DatapathHost host, Func<DatapathHost, PortRetirement, T> read)
    {
        lock (_lock)
        {
            return read(host, this);
        }
    }

    /// <summary>Adds the backend drops of port <paramref name="id"/>'s retiring and retired handles. Call inside Read.</summary>
    public void AddDrops(int id, Span<ulong> byReason)
    {
        foreach ((int retiringId, IPort[] handles) in _retiring)
        {
            if (retiringId == id)
            {
                foreach (IPort handle in handles)
                {
                    handle.AddBackendDrops(byReason);
                }
            }
        }
        if (_retiredDrops[id] is { } totals)
        {
            for (int reason = 0; reason < totals.Length; reason++)
            {
                byReason[reason] += totals[reason];
            }
        }
    }

    /// <summary>At host disposal, after the loops stopped: closes handles whose retirement timed out.</summary>
    public void DisposeRetiring()
    {
        lock (_lock)
        {
            foreach ((_, IPort[] handles) in _retiring)
            {
                foreach (IPort handle in handles)
                {
                    handle.Dispose();
                }
            }
            _retiring.Clear();
        }
    }
}
