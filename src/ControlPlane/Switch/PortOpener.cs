// Which backend each port gets, and the kernel resources behind them: one XDP attachment (the
// redirect program, its XSKMAP and BPF link) and one promiscuous membership per AF_XDP interface, one UMEM per poll loop shared
// by all of that loop's AF_XDP sockets, and AF_PACKET sockets (with a fanout group per port when
// several loops share it) elsewhere, each AF_PACKET interface with a tcx ingress drop so the host
// stack does not also process what FastBridge switches. `auto` uses AF_XDP wherever it can and says why not where it
// cannot. An MTU too large for one UMEM frame (jumbo) takes AF_XDP multi-buffer: a frags-aware XDP program and
// UMEMs bound with XDP_USE_SG (kernel 6.6+). Used from the control plane only; the poll loops just see IPorts.
using System.Globalization;
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Frames;
using FastBridge.Datapath.Ports;
using FastBridge.Datapath.Xdp;

namespace FastBridge.ControlPlane.Switch;

internal enum BackendKind
{
    Auto,
    AfPacket,
    AfXdp,
}

internal sealed class PortOpener : IDisposable
{
    /// <summary>Ethernet header and one VLAN tag on top of the MTU: the longest frame a port carries.</summary>
    private const int FrameOverhead = EthernetFrame.HeaderLength + VlanTag.Length;

    /// <summary>Bytes of a received frame one UMEM frame holds, after the kernel's headroom.</summary>
    private static readonly int s_frameRoom = new UmemOptions().FrameSize - Datapath.Interop.IfXdp.XdpPacketHeadroom;

    private readonly BackendKind _kind;
    private readonly XdpAttachMode _xdpMode;
    private readonly int _workers;
    private readonly int _ringSize;
    private readonly int _umemFrames;
    private readonly int _fanoutBase = Environment.ProcessId * 64;
    private readonly Dictionary<string, XdpAttachment> _attachments = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PromiscuousMembership> _promiscuous = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HostStackBypass> _bypasses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, XdpAttachment> _fastPathOnly = new(StringComparer.Ordinal);
    private readonly FastPathMaps? _fastPath;
    private readonly Dictionary<int, Umem> _umems = [];

    /// <param name="ringSize">Entries in each AF_XDP ring (XdpMemory).</param>
    /// <param name="umemFrames">Frames in each poll loop's UMEM (XdpMemory.AutoUmemFrames when not given).</param>
    /// <param name="fastPath">The fast path's maps: every port's XDP program then switches known unicast in the kernel.</param>
    public PortOpener(BackendKind kind, XdpAttachMode xdpMode, int workers, int ringSize = XdpMemory.DefaultRingSize, int umemFrames = 0,
        FastPathMaps? fastPath = null)
    {
        _fastPath = fastPath;
        _kind = kind;
        _xdpMode = xdpMode;
        _workers = workers;
        _ringSize = ringSize;
        _umemFrames = umemFrames > 0 ? umemFrames : XdpMemory.AutoUmemFrames(2, ringSize);
    }

    public static BackendKind ParseKind(string text) => text switch
    {
        "afpacket" => BackendKind.AfPacket,
        "afxdp" => BackendKind.AfXdp,
        _ => BackendKind.Auto,
    };

    public static XdpAttachMode ParseXdpMode(string text) => text switch
    {
        "native" => XdpAttachMode.Native,
        "generic" => XdpAttachMode.Generic,
        _ => XdpAttachMode.Auto,
    };

    /// <summary>
    /// Chooses the backend of <paramref name="iface"/> before any loop opens it, attaching the XDP
    /// program where AF_XDP is chosen. Returns what was chosen and why, for the log. Throws
    /// PortRefusedException where the interface can be switched by neither the asked backend nor, under
    /// auto, AF_PACKET (it already carries somebody else's XDP program).
    /// </summary>
    public string Prepare(NetInterfaceInfo iface)
    {
        if (_kind == BackendKind.AfPacket)
        {
            return PrepareAfPacket(iface, "asked for");
        }
        string? obstacle = XdpObstacle(iface);
        if (obstacle is not null)
        {
            if (_kind == BackendKind.AfXdp)
            {
                throw new PortRefusedException($"interface {iface.Name}: cannot use AF_XDP: {obstacle}");
            }
            return PrepareAfPacket(iface, obstacle);
        }
        XdpAttachment attachment;
        try
        {
            attachment = XdpAttachment.Attach(iface, _xdpMode, multiBuffer: NeedsMultiBuffer(iface), fastPath: _fastPath);
        }
        catch (InvalidOperationException e) when (_kind == BackendKind.Auto)
        {
            return PrepareAfPacket(iface, $"AF_XDP failed: {e.Message}");
        }
        _attachments[iface.Name] = attachment;
        _promiscuous[iface.Name] = PromiscuousMembership.Join(iface);
        return $"afxdp ({attachment.Mode.ToString().ToLowerInvariant()} XDP{(attachment.MultiBuffer ? ", multi-buffer" : "")}, {(_kind == BackendKind.Auto ? "auto" : "asked for")})";
    }

    private string PrepareAfPacket(NetInterfaceInfo iface, string why)
    {
        _bypasses[iface.Name] = HostStackBypass.Attach(iface);
        return $"afpacket ({why}; host stack bypassed at tcx ingress{PrepareFastPathOnly(iface)})";
    }

    /// <summary>An AF_PACKET port's XDP program: the fast path for known unicast, XDP_PASS to the socket for the rest.</summary>
    private string PrepareFastPathOnly(NetInterfaceInfo iface)
    {
        if (_fastPath is null)
        {
            return "";
        }
        if (NeedsMultiBuffer(iface))
        {
            return "; no fast path from it (multi-buffer)";
        }
        if (_fastPath.VlanTpid != 0)
        {
            // XDP sees a frame's bytes only, and the kernel may hold its outer tag in metadata instead (a NIC's
            // receive VLAN offload; a sender's transmit offload across a veth). The AF_PACKET poll loop reads it
            // there; the program would take the frame for an untagged one of the PVID. (AF_XDP sees what XDP sees.)
            return "; no fast path from it (VLAN filtering: its tags may arrive in metadata, which XDP cannot read)";
        }
        try
        {
            XdpAttachment attachment = XdpAttachment.AttachFastPath(iface, _fastPath, _xdpMode);
            _fastPathOnly[iface.Name] = attachment;
            return $"; fast path from it ({attachment.Mode.ToString().ToLowerInvariant()} XDP)";
        }
        catch (Exception e) when (e is InvalidOperationException or PortRefusedException)
        {
            return $"; no fast path from it: {e.Message}";
        }
    }

    /// <summary>Opens poll loop <paramref name="loop"/>'s handle on a prepared port.</summary>
    public IPort Open(NetInterfaceInfo iface, int portId, int loop)
    {
        if (_attachments.TryGetValue(iface.Name, out XdpAttachment? attachment))
        {
            // One queue per loop (XdpObstacle made sure the counts match), all of a loop's sockets on its UMEM.
            if (!_umems.TryGetValue(loop, out Umem? umem))
            {
                // Multi-buffer only where a port needs it: XDP_USE_SG costs zero-copy on NICs without zero-copy multi-buffer.
                bool multiBuffer = _attachments.Values.Any(a => a.MultiBuffer);
                umem = new Umem(new UmemOptions(FrameCount: _umemFrames, MultiBuffer: multiBuffer));
                _umems[loop] = umem;
            }
            return new AfXdpPort(iface, attachment, umem, queue: loop, new AfXdpOptions(_ringSize));
        }
        ushort fanout = _workers > 1 ? (ushort)((_fanoutBase + portId) % 0xFFFF + 1) : (ushort)0;
        PortDrain? drain = _fastPathOnly.TryGetValue(iface.Name, out XdpAttachment? fastPath) ? fastPath.Drain(loop) : null;
        return new AfPacketPort(iface, new AfPacketOptions(FanoutGroup: fanout), drain);
    }

    /// <summary>Detaches a removed interface's XDP program, once every loop's handle on it is closed.</summary>
    public void Release(string name)
    {
        if (_attachments.Remove(name, out XdpAttachment? attachment))
        {
            attachment.Dispose();
        }
        if (_promiscuous.Remove(name, out PromiscuousMembership? membership))
        {
            membership.Dispose();
        }
        if (_bypasses.Remove(name, out HostStackBypass? bypass))
        {
            bypass.Dispose();
        }
        if (_fastPathOnly.Remove(name, out XdpAttachment? fastPathOnly))
        {
            fastPathOnly.Dispose();
        }
    }

    /// <summary>After every port handle is closed: detach every program, then free the UMEMs.</summary>
    public void Dispose()
    {
        DisposeAll(_attachments);
        DisposeAll(_promiscuous);
        DisposeAll(_bypasses);
        DisposeAll(_fastPathOnly);
        DisposeAll(_umems);
    }

    /// <summary>Why AF_XDP cannot serve this interface as FastBridge runs it, or null.</summary>
    private string? XdpObstacle(NetInterfaceInfo iface)
    {
        int queues = XdpAttachment.RxQueueCount(iface.Name);
        if (queues != _workers)
        {
            // Each poll loop serves one queue; queues nobody serves would hand their frames to the host instead.
            return string.Create(CultureInfo.InvariantCulture,
                $"{queues} receive queue(s) for {_workers} worker(s); AF_XDP here needs one worker per queue (--workers {queues}, or ethtool -L)");
        }
        if (!NeedsMultiBuffer(iface))
        {
            return null;
        }
        string jumbo = string.Create(CultureInfo.InvariantCulture, $"MTU {iface.Mtu} does not fit an AF_XDP frame ({s_frameRoom} bytes) and needs multi-buffer");
        if (!XskSocket.KernelHasMultiBuffer(out string why))
        {
            return $"{jumbo}, but {why}";
        }
        if (DescriptorChain.ChunksFor(iface.Mtu + FrameOverhead, s_frameRoom) > DescriptorChain.MaxDescriptors)
        {
            return $"{jumbo}, but it takes more than the {DescriptorChain.MaxDescriptors} buffers a frame may have";
        }
        if (_umems.Values.Any(u => !u.MultiBuffer))
        {
            // The first socket of a UMEM decides for all; sockets are open, so the choice stands until restart.
            return $"{jumbo}, but the poll loops' AF_XDP memory was set up without it (no jumbo AF_XDP port at start; restart to have one)";
        }
        return null;
    }

    /// <summary>Whether the longest frame of the interface (MTU + header + one VLAN tag) takes more than one UMEM frame.</summary>
    private static bool NeedsMultiBuffer(NetInterfaceInfo iface) => iface.Mtu + FrameOverhead > s_frameRoom;

    private static void DisposeAll<TKey, TResource>(Dictionary<TKey, TResource> resources)
        where TKey : notnull
        where TResource : IDisposable
    {
        foreach (TResource resource in resources.Values)
        {
            resource.Dispose();
        }
        resources.Clear();
    }
}
