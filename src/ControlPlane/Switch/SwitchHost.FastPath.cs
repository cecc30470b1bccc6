// The XDP fast path as the switch host runs it: the maps created and the program put before the
// verifier once at start (auto turns the fast path off when it refuses, on refuses to start), each
// port's egress checked when it is prepared (FastPathEgress) and again every tick (a peer's GRO may be
// turned off or on at any time: veth drops what is redirected to it without), and what is known handed
// to the datapath host, which mirrors the FDB into the maps. Control plane only.
using FastBridge.ControlPlane.Logging;
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Hosting;
using FastBridge.Datapath.Xdp;
using Microsoft.Extensions.Logging;

namespace FastBridge.ControlPlane.Switch;

internal sealed partial class SwitchHost
{
    private readonly FastPathEgress _fastPathEgressCheck = new();
    private readonly FastPathEgressDecisions _fastPathOf = new();
    private FastPathMaps? _fastPathMaps;

    /// <summary>`on (why)` or `off (why not)`: whether the kernel redirects frames to the port, for port show and GET /ports.</summary>
    public string FastPathOf(string name)
    {
        if (_fastPathMaps is null)
        {
            return "off (--fast-path off)";
        }
        return _fastPathOf.Show(name);
    }

    /// <summary>The maps, when the kernel accepts the program; null with the fast path off. Throws under On when it cannot run.</summary>
    private static FastPathMaps? OpenFastPath(FastPathMode mode, DatapathOptions options, ILogger log)
    {
        if (mode == FastPathMode.Off)
        {
            return null;
        }
        string? refusal;
        FastPathMaps? maps = null;
        try
        {
            // VLAN-aware maps make VLAN-aware programs: keys by (VLAN, MAC), no tag edit in the kernel.
            maps = FastPathMaps.Create(options.FdbMaxEntries, options.MaxPorts, options.VlanFiltering ? options.VlanProtocol : (ushort)0, options.Workers);
            refusal = XdpAttachment.CheckFastPath(maps);
        }
        catch (InvalidOperationException e)
        {
            refusal = e.Message;
        }
        if (refusal is null)
        {
            return maps;
        }
        maps?.Dispose();
        if (mode == FastPathMode.On)
        {
            throw new InvalidOperationException($"--fast-path on, but {refusal}");
        }
        log.FastPathOff(refusal);
        return null;
    }

    /// <summary>Whether frames may be redirected to the interface, decided at each preparation of the port and each tick.</summary>
    /// <returns>Whether the decision differs from the last one (FastPathEgressDecisions says what is logged).</returns>
    private bool CheckFastPathEgress(NetInterfaceInfo iface, bool preparing = true) =>
        _fastPathMaps is not null && _fastPathOf.Take(iface.Name, _fastPathEgressCheck.Check(iface), preparing, _log);

    /// <summary>
    /// From the tick: each attached port's egress checked again (a peer's GRO may be turned off at any time); a change
    /// is logged, shown by port show, and the port withdrawn from or put back into the redirect targets at once.
    /// </summary>
    private void RecheckFastPathEgress()
    {
        if (_fastPathMaps is null)
        {
            return;
        }
        lock (_lock) // ports neither added nor removed meanwhile
        {
            if (_stopped)
            {
                return;
            }
            foreach ((int id, string name) in _datapath.PresentPorts())
            {
                if (_datapath.IsAttached(id) && CheckFastPathEgress(Interface(name), preparing: false))
                {
                    _datapath.SetFastPathEgress(id, FastPathPortOf(name).Egress);
                }
            }
        }
    }

    private FastPathPort FastPathPortOf(string name)
    {
        return new FastPathPort(Interface(name).IfIndex, _fastPathOf.Egress(name));
    }
}
