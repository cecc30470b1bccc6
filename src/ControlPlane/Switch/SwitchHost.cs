// Brings a switch up on real interfaces and takes it down again, for `run`, the daemon and the lab:
// checks every interface before touching any, turns GRO, LRO and TSO off (PortOffloads), chooses each port's
// backend (PortOpener), opens one handle per (poll loop, port), and on Dispose stops the loops,
// closes the handles (which ends promiscuous membership), detaches XDP programs and restores the
// offloads it changed. Ports added or removed while running get the same treatment one at a time.
// Each port's interface is followed through rtnetlink while running (SwitchHost.Links.cs).
// Called from the control plane only.
using FastBridge.ControlPlane.Logging;
using System.Globalization;
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Frames;
using FastBridge.Datapath.Hosting;
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Ports;
using FastBridge.Datapath.Xdp;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging;

namespace FastBridge.ControlPlane.Switch;

internal sealed partial class SwitchHost : IDisposable
{
    private readonly object _lock = new();
    private readonly Dictionary<string, NetInterfaceInfo> _interfaces = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PortOffloads> _offloads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _backendOf = new(StringComparer.Ordinal);
    private readonly PortOpener _backends;
    private readonly ILogger _log;
    private readonly DatapathHost _datapath;

    private SwitchHost(IReadOnlyList<string> portNames, DatapathOptions options, PortOpener backends, ILogger log, NetInterfaceInfo[] interfaces,
        FastPathMaps? fastPath)
    {
        _backends = backends;
        _log = log;
        _fastPathMaps = fastPath;
        foreach (NetInterfaceInfo iface in interfaces)
        {
            _interfaces[iface.Name] = iface;
        }
        try
        {
            foreach (NetInterfaceInfo iface in interfaces)
            {
                _offloads[iface.Name] = PortOffloads.DisableForSwitching(iface.Name);
                Prepare(iface);
            }
            _datapath = new DatapathHost(portNames, options,
                (name, id, loop) => _backends.Open(Interface(name), id, loop),
                (id, errno) => ReportDown(_datapath!.PortNames[id], errno))
            {
                MacFlapped = ReportMacFlap,
            };
            if (fastPath is not null)
            {
                _datapath.EnableFastPath(fastPath, FastPathPortOf);
            }
            foreach (NetInterfaceInfo iface in interfaces)
            {
                ApplyLink(iface);
            }
        }
        catch
        {
            _backends.Dispose();
            fastPath?.Dispose();
            RestoreOffloads(_offloads.Values);
            throw;
        }
    }

    public DatapathHost Datapath => _datapath;

    /// <param name="log">Where what happens to the ports while running is reported (DaemonLog).</param>
    public static SwitchHost Start(IReadOnlyList<string> portNames, DatapathOptions options,
        BackendKind backend = BackendKind.Auto, XdpAttachMode xdpMode = XdpAttachMode.Auto, ILogger? log = null, FastPathMode fastPath = FastPathMode.Off)
    {
        string? twice = portNames.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (twice is not null)
        {
            throw new ArgumentException($"port {twice} is named twice");
        }
        Privileges.Require();
        NetInterfaceInfo[] interfaces = portNames.Select(NetInterface.Inspect).ToArray();
        if (options.PinWorkers && options.Cpus is { Length: > 0 } cpus)
        {
            CpuAffinity.MoveThreadsOff(cpus); // the CPUs were given to the poll loops: nothing else runs there
        }
        log ??= NullLogger.Instance;
        FastPathMaps? maps = OpenFastPath(fastPath, options, log);
        var opener = new PortOpener(backend, xdpMode, options.Workers, options.XdpRingSize,
            options.UmemFrames ?? XdpMemory.AutoUmemFrames(portNames.Count, options.XdpRingSize), maps);
        var host = new SwitchHost(portNames, options, opener, log, interfaces, maps);
        try
        {
            host._datapath.Start();
            host.FollowLinks();
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return host;
    }

    /// <summary>The backend a present port runs on (afxdp or afpacket).</summary>
    public string BackendOf(string name)
    {
        lock (_backendOf)
        {
            return _backendOf.GetValueOrDefault(name, "none");
        }
    }

    /// <summary>Checks and adds an interface while forwarding; throws (one line, nothing changed) if it cannot be a port.</summary>
    public void AddPort(string name)
    {
        lock (_lock)
        {
            if (_datapath.PortId(name) >= 0)
            {
                throw new InvalidOperationException($"port {name} is already present");
            }
            NetInterfaceInfo iface = NetInterface.Inspect(name);
            PortOffloads offloads = PortOffloads.DisableForSwitching(name);
            lock (_interfaces)
            {
                _interfaces[name] = iface;
            }
            try
            {
                Prepare(iface);
                _datapath.AddPort(name);
            }
            catch
            {
                _backends.Release(name);
                RestoreOffloads([offloads]);
                throw;
            }
            _offloads[name] = offloads;
            ApplyLink(iface);
            _links?.Resync(); // a change between Inspect and now was not followed yet: read the truth again
        }
    }

    /// <summary>Removes a port while the others forward, flushes its FDB entries, detaches its backend and restores its offloads.</summary>
    public void RemovePort(string name)
    {
        lock (_lock)
        {
            if (_datapath.RemovePort(name, DatapathHost.DefaultRetireTimeout))
            {
                _backends.Release(name);
            }
            else
            {
                // Its handles stay open until exit, so its XDP program stays attached until then too.
                _log.RetireTimedOut(name, DatapathHost.DefaultRetireTimeout.TotalSeconds);
            }
            lock (_backendOf)
            {
                _backendOf.Remove(name);
            }
            if (_offloads.Remove(name, out PortOffloads? offloads))
            {
                RestoreOffloads([offloads]);
            }
        }
    }

    public void Dispose()
    {
        StopFollowingLinks();
        _datapath.Dispose();
        _backends.Dispose();
        _fastPathMaps?.Dispose(); // after every program that uses them is detached
        RestoreOffloads(_offloads.Values);
    }

    private void Prepare(NetInterfaceInfo iface)
    {
        string chosen = _backends.Prepare(iface);
        CheckFastPathEgress(iface);
        lock (_backendOf)
        {
            _backendOf[iface.Name] = chosen.Split(' ')[0];
        }
        _log.PortBackend(iface.Name, chosen);
    }

    private NetInterfaceInfo Interface(string name)
    {
        lock (_interfaces)
        {
            return _interfaces[name];
        }
    }

    /// <summary>A port a poll loop took down: a policy's shutdown (errno below 0) stays until `port enable`, a failure is re-opened.</summary>
    private void ReportDown(string port, int errno)
    {
        if (errno < 0)
        {
            _log.PortShutDown(port, ErrnoText(errno));
        }
        else
        {
            _log.PortFailed(port, ErrnoText(errno));
        }
    }

    private void ReportMacFlap(MacFlap flap)
    {
        IReadOnlyList<string> names = _datapath!.PortNames;
        _log.MacFlap(MacAddress.Format(FdbKey.Mac(flap.Key)), FdbKey.VlanId(flap.Key), flap.Moves, string.Join(", ", flap.Ports.Select(p => names[p])),
            flap.BlockedPort < 0 ? "reported only (loop_action none)" : string.Create(CultureInfo.InvariantCulture, $"blocking {names[flap.BlockedPort]} for {flap.HoldSeconds} s (loop_action block)"));
    }

    internal static string ErrnoText(int errno) => errno == 0 ? "taken down" : PolicyShutdown.Reason(errno) ?? LibcExtras.ErrnoText(errno);

    private void RestoreOffloads(IEnumerable<PortOffloads> offloads)
    {
        foreach (PortOffloads offload in offloads)
        {
            try
            {
                offload.Dispose();
            }
            catch (Exception e) when (e is IOException or InvalidOperationException)
            {
                // The interface may have vanished while we ran: nothing left to restore.
                _log.Trouble(e.Message);
            }
        }
    }
}
