// One poll loop's ports, indexed by port id (the same id on every loop): its own backend handle
// per port, plus the up/down state that all loops share. A port goes down when its interface
// vanishes or its backend fails; loops stop receiving from it and stop flooding to it, and the
// other ports keep forwarding.
using FastBridge.Datapath.Ports;

namespace FastBridge.Datapath.Forwarding;

/// <summary>The up/down state of every port, shared by all poll loops and the control plane.</summary>
public sealed class PortStates
{
    private readonly int[] _down;
    private readonly int[] _errno;

    public PortStates(int capacity)
    {
        _down = new int[capacity];
        _errno = new int[capacity];
    }

    public bool IsUp(int port) => Volatile.Read(ref _down[port]) == 0;

    /// <summary>Why the port went down: a positive errno, or 0 if the control plane took it down.</summary>
    public int Errno(int port) => Volatile.Read(ref _errno[port]);

    /// <summary>Marks a port down; true for the caller that took it down first.</summary>
    public bool MarkDown(int port, int errno)
    {
        Volatile.Write(ref _errno[port], errno);
        return Interlocked.Exchange(ref _down[port], 1) == 0;
    }
}

public sealed class PortSet
{
    private readonly IPort[] _ports;
    private readonly int[] _maxFrameLength;
    private readonly PortStates _states;

    public PortSet(IPort[] ports, PortStates states)
    {
        _ports = ports;
        _states = states;
        _maxFrameLength = new int[ports.Length];
        for (int i = 0; i < ports.Length; i++)
        {
            _maxFrameLength[i] = ports[i].MaxFrameLength;
        }
    }

    public int Count => _ports.Length;

    /// <summary>Highest port id + 1 that counters and transmit lists must hold.</summary>
    public int Capacity => _ports.Length;

    public PortStates States => _states;

    public IPort Port(int id) => _ports[id];

    public int MaxFrameLength(int id) => _maxFrameLength[id];

    public bool IsUp(int id) => _states.IsUp(id);
}
