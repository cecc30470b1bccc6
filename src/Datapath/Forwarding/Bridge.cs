// The switch assembled: the shared FDB, the port states, one poll loop per worker (each with its
// own backend handle on every port) and a housekeeping tick that ages the FDB and takes down
// ports whose interface failed. Built and driven by the control plane; the poll loops never wait
// on it.
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Ports;

namespace FastBridge.Datapath.Forwarding;

public sealed record BridgeOptions(
    int Workers = 1,
    uint AgeingTimeSeconds = BridgeOptions.DefaultAgeingTimeSeconds,
    int FdbMaxEntries = BridgeOptions.DefaultFdbMaxEntries,
    ushort GroupForwardMask = 0,
    IdleMode Idle = IdleMode.Block,
    bool PinWorkers = true)
{
    /// <summary>802.1D's and the Linux bridge's default.</summary>
    public const uint DefaultAgeingTimeSeconds = 300;

    public const int DefaultFdbMaxEntries = 65536;

    /// <summary>Bits 0-2 (STP, pause, slow protocols) can never be opened, as in the Linux bridge (BR_GROUPFWD_RESTRICTED).</summary>
    public const ushort RestrictedGroupForwardBits = 0x0007;
}

public sealed class Bridge : IDisposable
{
    private readonly BridgeOptions _options;
    private readonly PollLoop[] _loops;
    private readonly IPort[][] _portsByLoop;
    private readonly Func<int, int>? _portHealth;
    private readonly Action<int, int>? _portWentDown;
    private readonly bool[] _reportedDown;
    private Timer? _housekeeping;
    private long _aged;
    private bool _started;

    /// <param name="portNames">Interfaces in port-id order.</param>
    /// <param name="openPort">Opens one loop's backend handle: (port id, loop index) to port.</param>
    /// <param name="portHealth">Optional check run once a second: port id to 0 when healthy, else an errno.</param>
    /// <param name="portWentDown">Told once per port, off the poll threads, when a port goes down: (port id, errno).</param>
    public Bridge(IReadOnlyList<string> portNames, BridgeOptions options, Func<int, int, IPort> openPort,
        Func<int, int>? portHealth = null, Action<int, int>? portWentDown = null)
    {
        _options = options;
        _portHealth = portHealth;
        _portWentDown = portWentDown;
        PortNames = portNames;
        States = new PortStates(portNames.Count);
        _reportedDown = new bool[portNames.Count];
        Fdb = new FdbTable(options.FdbMaxEntries);
        _portsByLoop = new IPort[options.Workers][];
        _loops = new PollLoop[options.Workers];
        try
        {
            for (int loop = 0; loop < options.Workers; loop++)
            {
                _portsByLoop[loop] = new IPort[portNames.Count];
                for (int port = 0; port < portNames.Count; port++)
                {
                    _portsByLoop[loop][port] = openPort(port, loop);
                }
                int cpu = options.PinWorkers ? loop % Environment.ProcessorCount : -1;
                _loops[loop] = new PollLoop(loop, cpu, new PortSet(_portsByLoop[loop], States), Fdb, options.GroupForwardMask, options.Idle);
            }
        }
        catch
        {
            DisposePorts();
            throw;
        }
    }

    public FdbTable Fdb { get; }

    public IReadOnlyList<string> PortNames { get; }

    public PortStates States { get; }

    public IReadOnlyList<PollLoop> Loops => _loops;

    public BridgeOptions Options => _options;

    /// <summary>Dynamic FDB entries removed by ageing since start.</summary>
    public long Aged => Interlocked.Read(ref _aged);

    public void Start()
    {
        foreach (PollLoop loop in _loops)
        {
            loop.Start();
        }
        _started = true;
        _housekeeping = new Timer(_ => Housekeeping(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>One tick: age the FDB, check port health, report and flush ports that went down.</summary>
    public void Housekeeping()
    {
        // Timer ticks may overlap if one runs long; one at a time keeps the reports single.
        if (!Monitor.TryEnter(_reportedDown))
        {
            return;
        }
        try
        {
            HousekeepingTick();
        }
        finally
        {
            Monitor.Exit(_reportedDown);
        }
    }

    private void HousekeepingTick()
    {
        uint now = (uint)(Environment.TickCount64 / 1000);
        Interlocked.Add(ref _aged, Fdb.Age(now, _options.AgeingTimeSeconds));
        for (int port = 0; port < PortNames.Count; port++)
        {
            int errno = _portHealth?.Invoke(port) ?? 0;
            if (errno != 0)
            {
                States.MarkDown(port, errno);
            }
            if (!States.IsUp(port) && !_reportedDown[port])
            {
                _reportedDown[port] = true;
                Fdb.FlushPort(port);
                _portWentDown?.Invoke(port, States.Errno(port));
            }
        }
    }

    public BridgeStats ReadStats() => BridgeStats.Collect(this, _portsByLoop);

    public void Dispose()
    {
        _housekeeping?.Dispose();
        if (_started)
        {
            foreach (PollLoop loop in _loops)
            {
                loop.Stop();
            }
            _started = false;
        }
        DisposePorts();
    }

    private void DisposePorts()
    {
        foreach (IPort[]? ports in _portsByLoop)
        {
            if (ports is null)
            {
                continue;
            }
            foreach (IPort? port in ports)
            {
                port?.Dispose();
            }
        }
    }
}
