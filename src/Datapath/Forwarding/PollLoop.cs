// A per-core poll loop: one dedicated thread, pinned to one CPU, owning its own backend handle on
// every port. Each iteration receives a burst from each port, forwards it (BatchForwarder
// transmits and kicks per egress port) and gives the burst back. With nothing to do it spins a
// short while, then blocks in poll(2) on all its ports so an idle switch costs almost no CPU.
// Nothing here allocates, locks or throws per frame; an unexpected exception ends the process.
using System.Diagnostics;
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Ports;

namespace FastBridge.Datapath.Forwarding;

public enum IdleMode
{
    /// <summary>Spin briefly, then sleep in poll(2) until a port has frames.</summary>
    Block,

    /// <summary>Never sleep: lowest latency, one core always busy.</summary>
    Busy,
}

public sealed class PollLoop
{
    /// <summary>Empty iterations before blocking: a few microseconds of polling catches back-to-back bursts without a wake-up.</summary>
    private const int SpinsBeforeBlocking = 256;

    /// <summary>Longest sleep in poll(2), so a stop request or a port going down is seen within this time.</summary>
    private const int BlockTimeoutMs = 100;

    private readonly PortSet _ports;
    private readonly BatchForwarder _forwarder;
    private readonly FrameBatch _batch = new();
    private readonly IdleMode _idle;
    private readonly int _cpu;
    private readonly Thread _thread;
    private volatile bool _stopping;

    public PollLoop(int index, int cpu, PortSet ports, FdbTable fdb, ushort groupForwardMask, IdleMode idle)
    {
        Index = index;
        _cpu = cpu;
        _ports = ports;
        _idle = idle;
        Counters = new WorkerCounters(ports.Capacity);
        _forwarder = new BatchForwarder(fdb, ports, Counters, groupForwardMask, _batch.Capacity);
        _thread = new Thread(Run) { Name = $"fastbridge-poll-{index}", IsBackground = false };
    }

    public int Index { get; }

    public WorkerCounters Counters { get; }

    public PortSet Ports => _ports;

    /// <summary>Whether the thread could be pinned to its CPU (false when pinning was not asked for or failed).</summary>
    public bool Pinned { get; private set; }

    public void Start() => _thread.Start();

    public void Stop()
    {
        _stopping = true;
        _thread.Join();
    }

    private void Run()
    {
        Pinned = _cpu >= 0 && Libc.TryPinCurrentThread(_cpu);
        var pollFds = new Libc.PollFd[_ports.Count];
        var pollPorts = new int[_ports.Count];
        int idleIterations = 0;
        while (!_stopping)
        {
            long start = Stopwatch.GetTimestamp();
            int frames = ReceiveAndForwardAll((uint)(Environment.TickCount64 / 1000));
            long elapsed = Stopwatch.GetTimestamp() - start;
            Counters.LoopTicks += (ulong)elapsed;
            if (frames > 0)
            {
                Counters.BusyTicks += (ulong)elapsed;
                idleIterations = 0;
            }
            else if (_idle == IdleMode.Block && ++idleIterations >= SpinsBeforeBlocking)
            {
                WaitForFrames(pollFds, pollPorts);
                idleIterations = 0;
            }
        }
    }

    private int ReceiveAndForwardAll(uint now)
    {
        int total = 0;
        for (int id = 0; id < _ports.Count; id++)
        {
            if (!_ports.IsUp(id))
            {
                continue;
            }
            IPort port = _ports.Port(id);
            _batch.Clear();
            int received = port.Receive(_batch);
            if (received < 0)
            {
                _ports.States.MarkDown(id, -received);
                continue;
            }
            if (received == 0)
            {
                continue;
            }
            _forwarder.Process(_batch, id, now);
            port.ReleaseReceived();
            Counters.Batches++;
            Counters.Frames += (ulong)received;
            total += received;
        }
        return total;
    }

    private unsafe void WaitForFrames(Libc.PollFd[] pollFds, int[] pollPorts)
    {
        int n = 0;
        for (int id = 0; id < _ports.Count; id++)
        {
            int fd = _ports.IsUp(id) ? _ports.Port(id).PollFd : -1;
            if (fd >= 0)
            {
                pollPorts[n] = id;
                pollFds[n++] = new Libc.PollFd { Fd = fd, Events = Libc.PollIn };
            }
        }
        if (n == 0)
        {
            Thread.Sleep(BlockTimeoutMs);
            return;
        }
        fixed (Libc.PollFd* fds = pollFds)
        {
            if (Libc.poll(fds, (nuint)n, BlockTimeoutMs) <= 0)
            {
                return;
            }
        }
        // A socket error (the interface went down or away) would make every poll return at once:
        // take the port down, with the socket's own errno, rather than spin on it.
        for (int i = 0; i < n; i++)
        {
            if ((pollFds[i].Revents & (Libc.PollErr | Libc.PollHup | Libc.PollNval)) != 0)
            {
                _ports.States.MarkDown(pollPorts[i], Libc.TakeSocketError(pollFds[i].Fd));
            }
        }
    }
}
