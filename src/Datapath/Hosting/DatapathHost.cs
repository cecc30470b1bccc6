// The datapath assembled: the shared FDB, the port states and one poll loop per CPU given (each loop
// with its own backend handle on every port). The control plane builds it, places threads, and
// drives its once-a-second Housekeeping (ageing, failed-port reports); the poll loops never wait on
// it. Ports come and go while the loops run (DatapathHost.Ports.cs): a new immutable table per loop
// is published in one reference swap and the old one retired once every loop has moved on.
// Control calls are serialised by one lock that the poll loops never see.
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Ports;

namespace FastBridge.Datapath.Hosting;

public sealed partial class DatapathHost : IDisposable
{
    /// <summary>How long RemovePort waits for every loop to let go of the old table: loops block in poll(2) for at most 100 ms.</summary>
    public static readonly TimeSpan DefaultRetireTimeout = TimeSpan.FromSeconds(2);

    private readonly int _maxPorts;
    private readonly PollLoop[] _loops;
    private readonly Func<string, int, int, IPort> _openPort;
    private readonly Action<int, int>? _portWentDown;
    private readonly object _control = new();
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private string[] _names = [];
    private readonly bool[] _present;
    private readonly bool[] _attached;
    private readonly bool[] _reportedDown;
    private readonly PortRetirement _retirement;
    private readonly FdbAger _ager;
    private readonly MacFlapDetector _flaps;
    private uint _ageingTime;
    private bool _started;

    /// <param name="portNames">Interfaces to start with, given ids 0, 1, ... in this order.</param>
    /// <param name="openPort">Opens one loop's backend handle: (interface name, port id, loop index) to port.</param>
    /// <param name="portWentDown">
    /// Told once per failure, off the poll threads, when a poll loop found a port's socket dead: (port id, errno).
    /// A link going down is not a failure: the control plane follows links itself (PortStates.SetLink).
    /// </param>
    public DatapathHost(IReadOnlyList<string> portNames, DatapathOptions options, Func<string, int, int, IPort> openPort,
        Action<int, int>? portWentDown = null)
    {
        _maxPorts = options.MaxPorts;
        _openPort = openPort;
        _portWentDown = portWentDown;
        _ageingTime = options.AgeingTimeSeconds;
        States = new PortStates(options.MaxPorts);
        _present = new bool[options.MaxPorts];
        _attached = new bool[options.MaxPorts];
        _reportedDown = new bool[options.MaxPorts];
        _retirement = new PortRetirement(options.MaxPorts);
        Fdb = new FdbTable(options.FdbMaxEntries);
        _ager = new FdbAger(Fdb);
        _flaps = new MacFlapDetector(options.MaxPorts);
        _vlans = options.VlanFiltering ? new VlanMembership(options.MaxPorts, options.VlanProtocol, options.DefaultPvid) : null;
        _loops = new PollLoop[options.Workers];
        int[] cpus = LoopCpus(options);
        for (int loop = 0; loop < options.Workers; loop++)
        {
            int cpu = options.PinWorkers ? cpus[loop % cpus.Length] : -1;
            _loops[loop] = new PollLoop(loop, cpu, PortSet.Empty(options.MaxPorts, States).WithVlans(_vlans), Fdb, options.GroupForwardMask, options.Idle);
        }
        try
        {
            foreach (string name in portNames)
            {
                AddPort(name);
            }
        }
        catch
        {
            DisposePorts();
            throw;
        }
    }

    public FdbTable Fdb { get; }

    /// <summary>
    /// The CPUs poll loops go round: the ones given (--cpus), else the ones the process was started on,
    /// so `taskset -c 2,3 fastbridge run` keeps them on 2 and 3 (pinning to CPU 0 and 1 regardless would
    /// escape the operator's choice).
    /// </summary>
    public static int[] LoopCpus(DatapathOptions options) => options.Cpus is { Length: > 0 } cpus ? cpus : CpuAffinity.Allowed();

    /// <summary>Every interface name ever given an id, indexed by port id (removed ports keep theirs).</summary>
    public IReadOnlyList<string> PortNames => Volatile.Read(ref _names);

    public PortStates States { get; }

    public IReadOnlyList<PollLoop> Loops => _loops;

    /// <summary>Seconds a dynamic entry lives without traffic; changeable while running.</summary>
    public uint AgeingTimeSeconds
    {
        get => Volatile.Read(ref _ageingTime);
        set => Volatile.Write(ref _ageingTime, value);
    }

    /// <summary>Dynamic FDB entries removed by ageing since start.</summary>
    public long Aged => _ager.Aged;

    public void Start()
    {
        foreach (PollLoop loop in _loops)
        {
            loop.Start();
        }
        _started = true;
    }

    /// <summary>One tick, once a second from the control plane: age the FDB, report and flush ports whose socket a poll loop found dead.</summary>
    public void Housekeeping()
    {
        // A tick may meet a port change, or a test's own call: one at a time keeps the reports single.
        if (!Monitor.TryEnter(_control))
        {
            return;
        }
        try
        {
            HousekeepingTick();
        }
        finally
        {
            Monitor.Exit(_control);
        }
    }

    private void HousekeepingTick()
    {
        uint now = FdbClock.Now;
        MirrorBeforeAgeing(now);
        _ager.Tick(now, AgeingTimeSeconds);
        MirrorAfterAgeing();
        RefreshLearnAllowances();
        DetectMacFlaps(now);
        for (int port = 0; port < _names.Length; port++)
        {
            if (!_present[port])
            {
                continue;
            }
            if (!States.IsFailed(port))
            {
                _reportedDown[port] = false; // cleared by the control plane: a later failure is reported again
            }
            else if (!_reportedDown[port])
            {
                _reportedDown[port] = true;
                Fdb.FlushPort(port);
                _portWentDown?.Invoke(port, States.Errno(port));
            }
        }
    }

    /// <summary>Folds every loop's counters; serialised with port retirement only, never with the loops.</summary>
    public DatapathStats ReadStats() => _retirement.Read(this, static (host, retirement) => DatapathStats.Collect(host, retirement));

    public void Dispose()
    {
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
        foreach (PollLoop loop in _loops)
        {
            PortSet ports = loop.Ports;
            for (int i = 0; i < ports.Count; i++)
            {
                ports.Port(ports.IdAt(i)).Dispose();
            }
        }
        _retirement.DisposeRetiring();
    }
}
