// Each port's interface followed through rtnetlink (LinkMonitor), as the Linux bridge follows its
// ports' netdev events: carrier lost or the interface set down disables the port (nothing is sent to
// it or read from it) and flushes its dynamic FDB entries; carrier back makes it forward again. An
// interface that is deleted (or renamed away) takes the port's handles, XDP program and sockets with
// it; the port stays configured, `waiting for interface`, and is attached again by itself when an
// interface of its name appears (a NIC reset, a veth re-created by an orchestrator). An MTU change
// re-opens the port, so its size rule and rings follow the new MTU.
// Runs on the monitor's thread and on the host's one-second tick, under the host's lock. A look that
// fails (no descriptor, no memory) never takes a port down: it is reported once and tried again.
using FastBridge.ControlPlane.Logging;
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Hosting;
using FastBridge.Datapath.Ports;

namespace FastBridge.ControlPlane.Switch;

internal sealed partial class SwitchHost
{
    private static readonly TimeSpan s_tickInterval = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, string> _attachTrouble = new(StringComparer.Ordinal);
    private LinkMonitor? _links;
    private Timer? _tick;
    private bool _stopped;

    /// <summary>What a port's link state means for forwarding, from its interface's flags.</summary>
    internal static PortLink LinkOf(bool adminUp, bool running) =>
        !adminUp ? PortLink.AdminDown : running ? PortLink.Up : PortLink.NoCarrier;

    /// <summary>`port show`'s words for a present port's state, as `bridge link` has them where it can.</summary>
    public string Describe(int id)
    {
        if (!_datapath.IsAttached(id))
        {
            return "waiting for interface";
        }
        return _datapath.States.Link(id) switch
        {
            PortLink.NoCarrier => "disabled (no carrier)",
            PortLink.AdminDown => "disabled (admin down)",
            _ when _datapath.States.IsFailed(id) => $"down ({ErrnoText(_datapath.States.Errno(id))})",
            _ => "forwarding",
        };
    }

    private void FollowLinks()
    {
        _links = new LinkMonitor(Follow, _log.Trouble);
        _links.Start();
        _tick = new Timer(_ => Tick(), null, s_tickInterval, s_tickInterval);
    }

    private void StopFollowingLinks()
    {
        lock (_lock)
        {
            _stopped = true;
        }
        _tick?.Dispose();
        _links?.Dispose();
    }

    /// <summary>One interface state from rtnetlink: apply it to the port that owns the interface, or to the port waiting for its name.</summary>
    private void Follow(LinkState state)
    {
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }
            string? owner = AttachedPortOn(state.IfIndex);
            if (owner is not null)
            {
                NetInterfaceInfo iface = Interface(owner);
                if (!state.Exists || state.Name != owner)
                {
                    Vanish(owner, state.Exists ? $"interface renamed to {state.Name}" : "interface vanished");
                }
                else if (state.Mtu > 0 && state.Mtu != iface.Mtu)
                {
                    _log.MtuChanged(owner, iface.Mtu, state.Mtu);
                    Reopen(owner);
                }
                else
                {
                    ApplyLink(_datapath.PortId(owner), owner, LinkOf(state.AdminUp, state.Running), quiet: false);
                }
            }
            if (state.Exists && _datapath.PortId(state.Name) is >= 0 and int waiting && !_datapath.IsAttached(waiting))
            {
                TryAttach(state.Name);
            }
        }
    }

    /// <summary>Once a second: the datapath's housekeeping (ageing, failed-port reports), then the retries and the fast path's egress checks.</summary>
    private void Tick()
    {
        _datapath.Housekeeping();
        Retry();
        RecheckFastPathEgress();
    }

    private void Retry()
    {
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }
            foreach ((int id, string name) in _datapath.PresentPorts())
            {
                if (!_datapath.IsAttached(id))
                {
                    TryAttach(name);
                }
                else if (_datapath.States.IsFailed(id) && _datapath.States.Errno(id) >= 0) // a policy's shutdown waits for `port enable`
                {
                    Reopen(name);
                }
            }
        }
    }

    /// <summary>The link of a port just opened, as its interface's flags say; a change after that comes from rtnetlink.</summary>
    private void ApplyLink(NetInterfaceInfo iface) =>
        ApplyLink(_datapath.PortId(iface.Name), iface.Name, LinkOf(iface.IsUp, iface.IsRunning), quiet: true);

    private void ApplyLink(int id, string name, PortLink link, bool quiet)
    {
        PortLink before = _datapath.States.SetLink(id, link);
        if (before == link)
        {
            return;
        }
        if (link != PortLink.Up)
        {
            int flushed = _datapath.Fdb.FlushPort(id);
            _log.PortDisabled(name, Describe(id), flushed);
        }
        else if (!quiet)
        {
            _log.PortForwardingAgain(name);
        }
    }

    /// <summary>The interface is gone: close the port's handles, detach its programs, flush its entries; keep the port, waiting.</summary>
    private void Vanish(string name, string why)
    {
        Detach(name);
        _offloads.Remove(name); // nothing to restore on an interface that is gone
        lock (_backendOf)
        {
            _backendOf[name] = "none";
        }
        _datapath.States.SetLink(_datapath.PortId(name), PortLink.Vanished);
        _log.PortVanished(name, why, name);
    }

    /// <summary>Closes and opens the port again on the interface of its name (a dead socket, a new MTU).</summary>
    private void Reopen(string name)
    {
        Detach(name);
        if (_offloads.Remove(name, out PortOffloads? offloads))
        {
            RestoreOffloads([offloads]);
        }
        TryAttach(name);
    }

    /// <summary>Takes the port's handles out of the loops and, once no loop holds them, its backend's programs too.</summary>
    private void Detach(string name)
    {
        if (_datapath.DetachPort(name, DatapathHost.DefaultRetireTimeout))
        {
            _backends.Release(name);
        }
    }

    /// <summary>Opens a waiting port on the interface now called <paramref name="name"/>; on failure it keeps waiting, and says why once.</summary>
    private void TryAttach(string name)
    {
        PortOffloads? offloads = null;
        try
        {
            NetInterfaceInfo iface = NetInterface.Inspect(name);
            offloads = PortOffloads.DisableForSwitching(name);
            lock (_interfaces)
            {
                _interfaces[name] = iface;
            }
            Prepare(iface);
            _datapath.AttachPort(name);
            _offloads[name] = offloads;
            _attachTrouble.Remove(name);
            _log.PortAttachedAgain(name, iface.IfIndex);
            ApplyLink(iface);
        }
        catch (Exception e)
        {
            _backends.Release(name);
            if (offloads is not null)
            {
                RestoreOffloads([offloads]);
            }
            // "does not exist" is the normal wait; anything else (refused, no descriptors) is said once per new reason.
            bool missing = e.Message.Contains("does not exist", StringComparison.Ordinal);
            if (!missing && _attachTrouble.GetValueOrDefault(name) != e.Message)
            {
                _log.PortNotAttachedYet(name, e.Message);
            }
            _attachTrouble[name] = e.Message;
        }
    }

    private string? AttachedPortOn(int ifIndex)
    {
        lock (_interfaces)
        {
            foreach ((string name, NetInterfaceInfo iface) in _interfaces)
            {
                if (iface.IfIndex == ifIndex && _datapath.PortId(name) is >= 0 and int id && _datapath.IsAttached(id))
                {
                    return name;
                }
            }
        }
        return null;
    }
}
