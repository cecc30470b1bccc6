// The XDP fast path as the switch host runs it: the maps created and the program put before the
// verifier once at start (auto turns the fast path off when it refuses, on refuses to start), each
// port's egress checked when it is prepared (FastPathEgress), and what is known handed to the datapath
// host, which mirrors the FDB into the maps. Control plane only.
using FastBridge.ControlPlane.Logging;
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Hosting;
using FastBridge.Datapath.Xdp;
using Microsoft.Extensions.Logging;

namespace FastBridge.ControlPlane.Switch;

internal sealed partial class SwitchHost
{
    private readonly Dictionary<string, (bool Egress, string Reason)> _fastPathOf = new(StringComparer.Ordinal);
    private FastPathMaps? _fastPathMaps;
    private bool _vlanFiltering;

    /// <summary>`on (why)` or `off (why not)`: whether the kernel redirects frames to the port, for port show and GET /ports.</summary>
    public string FastPathOf(string name)
    {
        if (_fastPathMaps is null)
        {
            return _vlanFiltering ? $"off ({VlanFilteringRefusal})" : "off (--fast-path off)";
        }
        lock (_fastPathOf)
        {
            return _fastPathOf.TryGetValue(name, out var state) ? $"{(state.Egress ? "on" : "off")} ({state.Reason})" : "off (not prepared)";
        }
    }

    /// <summary>Why a VLAN-aware switch runs without the fast path: the program knows no VLANs yet.</summary>
    private const string VlanFilteringRefusal = "vlan filtering";

    /// <summary>The maps, when the kernel accepts the program; null with the fast path off. Throws under On when it cannot run.</summary>
    private static FastPathMaps? OpenFastPath(FastPathMode mode, DatapathOptions options, ILogger log)
    {
        if (mode == FastPathMode.Off)
        {
            return null;
        }
        // The program's keys carry VLAN 0 and it would redirect without the egress port's tag edit.
        string? refusal = options.VlanFiltering ? VlanFilteringRefusal : null;
        FastPathMaps? maps = null;
        if (refusal is null)
        {
            try
            {
                maps = FastPathMaps.Create(options.FdbMaxEntries, options.MaxPorts);
                refusal = XdpAttachment.CheckFastPath(maps);
            }
            catch (InvalidOperationException e)
            {
                refusal = e.Message;
            }
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

    /// <summary>Whether frames may be redirected to the interface, decided once per preparation of the port.</summary>
    private void CheckFastPathEgress(NetInterfaceInfo iface)
    {
        if (_fastPathMaps is null)
        {
            return;
        }
        (bool confirmed, string reason) = FastPathEgress.Check(iface);
        lock (_fastPathOf)
        {
            _fastPathOf[iface.Name] = (confirmed, reason);
        }
        _log.PortFastPath(iface.Name, confirmed ? "on" : "off", reason);
    }

    private FastPathPort FastPathPortOf(string name)
    {
        lock (_fastPathOf)
        {
            return new FastPathPort(Interface(name).IfIndex, _fastPathOf.GetValueOrDefault(name).Egress);
        }
    }
}
