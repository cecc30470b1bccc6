// A per-core poll loop: one dedicated thread, pinned to one CPU, owning its own backend handle on
// every port. Each iteration receives a burst from each port, forwards it (BatchForwarder
// transmits and kicks per egress port) and gives the burst back. With nothing to do it spins a
// short while, then blocks in poll(2) on all its ports so an idle switch costs almost no CPU.
// Nothing here allocates, locks or throws per frame; an unexpected exception ends the process.
// The port table is read once at the top of each iteration; the control plane publishes a new one
// with Publish and knows the loop has let go of the old one when Epoch has moved past the value it
// read after publishing (see DatapathHost.RemovePort). Frames the control plane injects (ControlFrames) are
// sent at the top of each iteration; an idle loop sees them when its poll(2) times out.
// Once the frames it received have all left (no transmit ring still holds one), the loop tells the ports
// (MarkForwarded), so the fast path takes a flow over only behind its last frame in user space.
using System.Diagnostics;
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Ports;
using Tmds.Linux;

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
    /// <summary>
    /// How long the loop keeps polling after its last frame before it blocks. Waking a blocked loop
    /// costs tens of µs on this VM: the e2e bench measured AF_XDP p50 latency of 38-44 µs at 10k
    /// frames/s when the loop blocked after 256 empty polls, 5 µs with this window. Traffic with gaps
    /// shorter than this never waits for a wake-up; an idle switch still sleeps 200 µs after its last frame.
    /// </summary>
    private static readonly long s_spinBeforeBlockingTicks = Stopwatch.Frequency / 5_000;

    /// <summary>Empty iterations between two reads of the clock (a few µs of spinning).</summary>
    private const int IdleIterationsPerClockRead = 16;

    /// <summary>Longest sleep in poll(2), so a stop request or a port going down is seen within this time.</summary>
    private const int BlockTimeoutMs = 100;

    private PortSet _ports;
    private long _epoch;
    private volatile bool _running;
    private readonly BatchForwarder _forwarder;
    private readonly FrameBatch _batch = new();
    private readonly IdleMode _idle;
    private readonly int _cpu;
    private readonly Thread _thread;
    private volatile bool _stopping;
    private bool _unmarked;   // frames received since the ports were last told all had left

    public PollLoop(int index, int cpu, PortSet ports, FdbTable fdb, ushort groupForwardMask, IdleMode idle)
    {
        Index = index;
        _cpu = cpu;
        _ports = ports;
        _idle = idle;
        Counters = new LoopCounters(ports.Capacity);
        _forwarder = new BatchForwarder(fdb, ports, Counters, groupForwardMask, _batch.Capacity, ControlFrames);
        _thread = new Thread(Run) { Name = $"fastbridge-poll-{index}", IsBackground = false };
    }

    public int Index { get; }

    public LoopCounters Counters { get; }

    /// <summary>Frames this loop punts to the control plane and frames the control plane gives it to send.</summary>
    public ControlFrameQueues ControlFrames { get; } = new();

    /// <summary>The table the loop uses from its next iteration on.</summary>
    public PortSet Ports => Volatile.Read(ref _ports);

    /// <summary>Iterations completed; advances after each iteration has let go of the table it read.</summary>
    public long Epoch => Volatile.Read(ref _epoch);

    /// <summary>Whether the thread is in its loop; a loop that is not running holds no table.</summary>
    public bool Running => _running;

    /// <summary>
    /// Swaps in a new port table (full fence). Called by the control plane only, one at a time;
    /// read <see cref="Epoch"/> after this returns to know when the old table is no longer used.
    /// </summary>
    public void Publish(PortSet ports)
    {
        if (ports.Capacity != _ports.Capacity)
        {
            throw new ArgumentException($"port table capacity {ports.Capacity} differs from the loop's {_ports.Capacity}");
        }
        Interlocked.Exchange(ref _ports, ports);
    }

    /// <summary>Whether the thread could be pinned to its CPU (false when pinning was not asked for or failed).</summary>
    public bool Pinned { get; private set; }

    public void Start()
    {
        _running = true;
        _thread.Start();
    }

    public void Stop()
    {
        _stopping = true;
        _thread.Join();
    }

    private void Run()
    {
        try
        {
            Pinned = _cpu >= 0 && CpuAffinity.TryPinCurrentThread(_cpu);
            // The clock is read once per iteration that forwarded frames, and once per IdleIterationsPerClockRead
            // empty ones: on this VM reads of the precise clock were 10-16% of the loop's CPU (perf, e2e bench).
            // Busy time is then counted from the previous read, so it may include a few empty iterations.
            // LoopTicks adds up every elapsed interval, blocking waits included: wall-clock time since the start.
            long lastClock = Stopwatch.GetTimestamp();
            long lastFrameTicks = lastClock;
            uint fdbNow = FdbClock.Now;
            int idleIterations = 0;
            while (!_stopping)
            {
                PortSet ports = Volatile.Read(ref _ports);
                _forwarder.Ports = ports;
                int frames = _forwarder.TransmitInjected() + ReceiveAndForwardAll(ports, fdbNow);
                if (_unmarked)
                {
                    MarkForwardedWhenSent(ports);
                }
                if (frames > 0 || ++idleIterations == IdleIterationsPerClockRead)
                {
                    idleIterations = 0;
                    long now = Stopwatch.GetTimestamp();
                    long elapsed = now - lastClock;
                    lastClock = now;
                    Counters.LoopTicks += (ulong)elapsed;
                    if (frames > 0)
                    {
                        Counters.BusyTicks += (ulong)elapsed;
                        lastFrameTicks = now;
                        fdbNow = FdbClock.Now;
                    }
                    else if (_idle == IdleMode.Block && now - lastFrameTicks >= s_spinBeforeBlockingTicks)
                    {
                        WaitForFrames(ports);
                        // The wait is loop time but never busy time, so LoopTicks follows the wall clock and
                        // busy is a share of it (issue 15: a share of polling time read 52.6% after 10 frames).
                        long woke = Stopwatch.GetTimestamp();
                        Counters.LoopTicks += (ulong)(woke - lastClock);
                        lastClock = lastFrameTicks = woke;
                        fdbNow = FdbClock.Now;
                    }
                }
                // Done with this iteration's table. A full fence, so the next table read cannot pass it:
                // a control thread that reads an epoch after publishing knows every later one means "let go".
                Interlocked.Increment(ref _epoch);
            }
        }
        finally
        {
            _running = false;
        }
    }

    private int ReceiveAndForwardAll(PortSet ports, uint now)
    {
        int total = 0;
        for (int i = 0; i < ports.Count; i++)
        {
            int id = ports.IdAt(i);
            if (!ports.States.IsUp(id))
            {
                continue;
            }
            IPort port = ports.Port(id);
            _batch.Clear();
            int received = port.Receive(_batch);
            if (received < 0)
            {
                MarkFailed(ports, id, -received);
                continue;
            }
            if (received == 0)
            {
                continue;
            }
            _forwarder.Process(_batch, id, now);
            port.ReleaseReceived();
            _unmarked = true;
            Counters.Batches++;
            Counters.Frames += (ulong)received;
            Counters.BatchSizes[LoopCounters.BatchSizeBucket(received)]++;
            total += received;
        }
        return total;
    }

    /// <summary>
    /// Tells every port its frames have left, once no transmit ring holds one; a ring that still does is kicked once
    /// more (a copy-mode kick sends at most 32 frames), else the loop tries again next iteration. Without that kick a
    /// loop under steady load would rarely find every ring empty, and the fast path would never take a flow over.
    /// </summary>
    private void MarkForwardedWhenSent(PortSet ports)
    {
        for (int i = 0; i < ports.Count; i++)
        {
            int id = ports.IdAt(i);
            IPort port = ports.Port(id);
            if (!ports.States.IsUp(id) || !port.TransmitQueued) // a port that is down may hold its ring for good
            {
                continue;
            }
            port.Flush();
            if (port.TransmitQueued)
            {
                return;
            }
        }
        for (int i = 0; i < ports.Count; i++)
        {
            ports.Port(ports.IdAt(i)).MarkForwarded();
        }
        _unmarked = false;
    }

    private unsafe void WaitForFrames(PortSet ports)
    {
        pollfd[] pollFds = ports.PollFds;
        int[] pollPorts = ports.PollPorts;
        int n = 0;
        for (int i = 0; i < ports.Count; i++)
        {
            int id = ports.IdAt(i);
            int fd = ports.States.IsUp(id) ? ports.Port(id).PollFd : -1;
            if (fd >= 0)
            {
                pollPorts[n] = id;
                pollFds[n++] = new pollfd { fd = fd, events = LibC.POLLIN };
            }
        }
        if (n == 0)
        {
            Thread.Sleep(BlockTimeoutMs);
            return;
        }
        fixed (pollfd* fds = pollFds)
        {
            if (LibC.poll(fds, (uint)n, BlockTimeoutMs) <= 0)
            {
                return;
            }
        }
        // A socket error would make every poll return at once: take it (which clears it) and, unless it only
        // says the link went down, take the port down with the socket's own errno rather than spin on it.
        for (int i = 0; i < n; i++)
        {
            if ((pollFds[i].revents & ((ushort)LibC.POLLERR | (ushort)LibC.POLLHUP | (ushort)LibC.POLLNVAL)) != 0)
            {
                MarkFailed(ports, pollPorts[i], LibcExtras.TakeSocketError(pollFds[i].fd));
            }
        }
    }

    /// <summary>
    /// Takes a port whose socket failed out of forwarding, except for ENETDOWN: the interface went down or
    /// away, which the control plane follows through rtnetlink (taking the port out and back in); an
    /// AF_PACKET socket works again by itself once its interface is up.
    /// </summary>
    private static void MarkFailed(PortSet ports, int id, int errno)
    {
        if (errno != LibC.ENETDOWN)
        {
            ports.States.MarkDown(id, errno);
        }
    }
}
