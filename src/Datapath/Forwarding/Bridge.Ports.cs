// Ports coming and going while the loops run, the RCU way: AddPort opens a handle per loop and
// publishes new tables; RemovePort publishes tables without the port, waits until every loop's
// epoch has moved past the swap (so none still holds the old table), then closes the handles,
// keeping their counts, and flushes the port's FDB entries. Port ids are stable for the bridge's
// life: a name keeps its id, so its counters continue if it comes back. Control plane only.
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Ports;

namespace FastBridge.Datapath.Forwarding;

public sealed partial class Bridge
{
    /// <summary>Whether the port id belongs to a port that is in the bridge now.</summary>
    public bool IsPresent(int id) => (uint)id < (uint)_present.Length && Volatile.Read(ref _present[id]);

    /// <summary>The id of a present port, or -1. Takes no lock: readers never wait on a port change.</summary>
    public int PortId(string name)
    {
        string[] names = Volatile.Read(ref _names);
        int id = Array.IndexOf(names, name);
        return id >= 0 && IsPresent(id) ? id : -1;
    }

    /// <summary>
    /// Adds an interface while the loops run; returns its id. A name seen before gets its old id back,
    /// so its counters continue; a new name gets the next id. Throws, changing nothing, when the port is
    /// present already, the ids are used up, or opening a handle fails.
    /// </summary>
    public int AddPort(string name)
    {
        lock (_control)
        {
            bool known = _ids.TryGetValue(name, out int id);
            if (known && _present[id])
            {
                throw new InvalidOperationException($"port {name} is already present");
            }
            if (!known)
            {
                if (_names.Length >= _options.MaxPorts)
                {
                    throw new InvalidOperationException($"cannot add {name}: all {_options.MaxPorts} port ids are used");
                }
                id = _names.Length;
            }
            var handles = new IPort[_loops.Length];
            try
            {
                for (int loop = 0; loop < _loops.Length; loop++)
                {
                    handles[loop] = _openPort(name, id, loop);
                }
            }
            catch
            {
                foreach (IPort? handle in handles)
                {
                    handle?.Dispose();
                }
                throw;
            }
            if (!known)
            {
                Volatile.Write(ref _names, [.. _names, name]);
                _ids[name] = id;
            }
            States.Reset(id);
            _reportedDown[id] = false;
            Volatile.Write(ref _present[id], true);
            for (int loop = 0; loop < _loops.Length; loop++)
            {
                _loops[loop].Publish(_loops[loop].Ports.With(id, handles[loop]));
            }
            return id;
        }
    }

    /// <summary>
    /// Removes a present port while the other ports keep forwarding: publishes tables without it,
    /// waits until every loop has let go of the old ones, then closes its handles (keeping their
    /// drop counts) and flushes its FDB entries, static ones included. False if a loop did not move
    /// on within <paramref name="timeout"/>: the handles are then left open until the bridge is disposed.
    /// </summary>
    public bool RemovePort(string name, TimeSpan timeout)
    {
        lock (_control)
        {
            if (!_ids.TryGetValue(name, out int id) || !_present[id])
            {
                throw new KeyNotFoundException($"unknown port {name}");
            }
            var handles = new IPort[_loops.Length];
            var epochs = new long[_loops.Length];
            _retirement.Retiring(() =>
            {
                Volatile.Write(ref _present[id], false);
                for (int loop = 0; loop < _loops.Length; loop++)
                {
                    PortSet old = _loops[loop].Ports;
                    handles[loop] = old.Port(id);
                    _loops[loop].Publish(old.Without(id));
                }
            }, id, handles);
            for (int loop = 0; loop < _loops.Length; loop++)
            {
                epochs[loop] = _loops[loop].Epoch;
            }
            bool movedOn = WaitForLoops(epochs, timeout);
            if (movedOn)
            {
                _retirement.Retire(id, handles);
            }
            Fdb.FlushPort(id);
            FlushStatic(id);
            return movedOn;
        }
    }

    /// <summary>Names of the ports present now, in id order.</summary>
    public IReadOnlyList<(int Id, string Name)> PresentPorts()
    {
        string[] names = Volatile.Read(ref _names);
        var ports = new List<(int, string)>();
        for (int id = 0; id < names.Length; id++)
        {
            if (IsPresent(id))
            {
                ports.Add((id, names[id]));
            }
        }
        return ports;
    }

    private bool WaitForLoops(long[] epochs, TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        for (int loop = 0; loop < _loops.Length; loop++)
        {
            while (_loops[loop].Running && _loops[loop].Epoch <= epochs[loop])
            {
                if (Environment.TickCount64 > deadline)
                {
                    return false;
                }
                Thread.Sleep(1);
            }
        }
        return true;
    }

    private void FlushStatic(int port)
    {
        var entries = new List<FdbEntry>();
        Fdb.CopyTo(entries);
        foreach (FdbEntry entry in entries)
        {
            if (entry.Port == port && entry.IsStatic)
            {
                Fdb.Remove(entry.Key);
            }
        }
    }
}
