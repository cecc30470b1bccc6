// Ports coming and going while the loops run, the RCU way: AddPort opens a handle per loop and
// publishes new tables; RemovePort publishes tables without the port, waits until every loop's
// epoch has moved past the swap (so none still holds the old table), then closes the handles,
// keeping their counts, and flushes the port's FDB entries. A port whose interface vanished is
// detached the same way but stays in the bridge (its id, its static entries) until AttachPort opens
// handles on the interface that came back. Port ids are stable for the bridge's life: a name keeps
// its id, so its counters continue if it comes back. Control plane only.
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Ports;

namespace FastBridge.Datapath.Hosting;

public sealed partial class DatapathHost
{
    /// <summary>Whether the port id belongs to a port that is in the bridge now (attached to its interface or waiting for it).</summary>
    public bool IsPresent(int id) => (uint)id < (uint)_present.Length && Volatile.Read(ref _present[id]);

    /// <summary>Whether a present port has its handles in the loops (false while it waits for its interface).</summary>
    public bool IsAttached(int id) => (uint)id < (uint)_attached.Length && Volatile.Read(ref _attached[id]);

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
                if (_names.Length >= _maxPorts)
                {
                    throw new InvalidOperationException($"cannot add {name}: all {_maxPorts} port ids are used");
                }
                id = _names.Length;
            }
            IPort[] handles = OpenHandles(name, id);
            if (!known)
            {
                Volatile.Write(ref _names, [.. _names, name]);
                _ids[name] = id;
            }
            Volatile.Write(ref _present[id], true);
            JoinDefaultVlan(id);
            Publish(id, handles);
            return id;
        }
    }

    /// <summary>Opens handles again on a present port that DetachPort took out: its interface came back. Throws, changing nothing, if opening fails.</summary>
    public void AttachPort(string name)
    {
        lock (_control)
        {
            int id = RequirePresent(name);
            if (_attached[id])
            {
                throw new InvalidOperationException($"port {name} is already attached");
            }
            Publish(id, OpenHandles(name, id));
        }
    }

    /// <summary>
    /// Takes a present port's handles out of the loops (its interface vanished) and flushes its dynamic FDB
    /// entries; the port stays, with its id and static entries, for AttachPort. False if a loop did not move
    /// on within <paramref name="timeout"/>: the handles are then left open until the bridge is disposed.
    /// </summary>
    public bool DetachPort(string name, TimeSpan timeout)
    {
        lock (_control)
        {
            int id = RequirePresent(name);
            bool movedOn = !_attached[id] || RetireHandles(id, timeout, stillPresent: true);
            Fdb.FlushPort(id);
            return movedOn;
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
            int id = RequirePresent(name);
            bool movedOn = true;
            if (_attached[id])
            {
                movedOn = RetireHandles(id, timeout, stillPresent: false);
            }
            else
            {
                Volatile.Write(ref _present[id], false);
            }
            LeaveVlans(id);
            Fdb.FlushPort(id, withStatic: true);
            ForgetPolicy(id);
            ForgetMirrors(id);
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

    private int RequirePresent(string name) =>
        _ids.TryGetValue(name, out int id) && _present[id] ? id : throw new KeyNotFoundException($"unknown port {name}");

    private IPort[] OpenHandles(string name, int id)
    {
        var handles = new IPort[_loops.Length];
        try
        {
            for (int loop = 0; loop < _loops.Length; loop++)
            {
                handles[loop] = _openPort(name, id, loop);
            }
            return handles;
        }
        catch
        {
            foreach (IPort? handle in handles)
            {
                handle?.Dispose();
            }
            throw;
        }
    }

    /// <summary>Up, with no failure, and in every loop's table from its next iteration.</summary>
    private void Publish(int id, IPort[] handles)
    {
        States.Reset(id);
        _reportedDown[id] = false;
        Volatile.Write(ref _attached[id], true);
        for (int loop = 0; loop < _loops.Length; loop++)
        {
            _loops[loop].Publish(_loops[loop].Ports.With(id, handles[loop]).WithVlans(_vlans));
        }
        MirrorAttached(id, handles[0]);
    }

    /// <summary>Publishes tables without the port, waits for every loop to let go of the old ones, then closes its handles.</summary>
    private bool RetireHandles(int id, TimeSpan timeout, bool stillPresent)
    {
        var handles = new IPort[_loops.Length];
        MirrorDetached(id); // the kernel stops redirecting to it before its handles go
        _retirement.Retiring(() =>
        {
            Volatile.Write(ref _present[id], stillPresent);
            Volatile.Write(ref _attached[id], false);
            for (int loop = 0; loop < _loops.Length; loop++)
            {
                PortSet old = _loops[loop].Ports;
                handles[loop] = old.Port(id);
                _loops[loop].Publish(old.Without(id));
            }
        }, id, handles);
        bool movedOn = WaitForLoops(CurrentEpochs(), timeout);
        if (movedOn)
        {
            _retirement.Retire(id, handles);
        }
        return movedOn;
    }

    private long[] CurrentEpochs()
    {
        var epochs = new long[_loops.Length];
        for (int loop = 0; loop < _loops.Length; loop++)
        {
            epochs[loop] = _loops[loop].Epoch;
        }
        return epochs;
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
}
