// Whether the XDP fast path may redirect frames to a port. A veth delivers a redirected frame only if
// its peer has a NAPI context to take it on (veth_xdp_xmit drops it otherwise): the peer has GRO on,
// or an XDP program of its own. So for a veth this asks rtnetlink for the port's link (its kind, its
// peer's ifindex and namespace id) and for the peer's (its name, whether XDP is attached), then reads
// the peer's GRO flag with the ethtool ioctl inside the peer's namespace, found by its id
// (NamespacesById; entering it needs CAP_SYS_ADMIN). Other drivers need ndo_xdp_xmit, which nothing
// reports to user space: they are not confirmed. No process is spawned: it runs at every port
// preparation and, for every attached port, every tick. An answer that could not be read is told
// apart from a refusal, so the tick can keep its last decision through a transient failure
// (FastPathEgressDecisions). Control plane: set-up and tick threads.
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Ports;
using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

namespace FastBridge.ControlPlane.Switch;

/// <summary>Confirmed: the kernel delivers redirected frames. Refused: it would not. Unreadable: the check could not tell.</summary>
internal enum EgressVerdict
{
    Confirmed,
    Refused,
    Unreadable,
}

internal readonly record struct EgressAnswer(EgressVerdict Verdict, string Reason);

internal sealed class FastPathEgress
{
    private readonly NamespacesById _namespaces = new();

    /// <summary>Whether the kernel can deliver XDP frames redirected to <paramref name="iface"/>, and why.</summary>
    public EgressAnswer Check(NetInterfaceInfo iface)
    {
        try
        {
            using var query = new LinkQuery();
            LinkAttributes? port = query.GetLink(iface.IfIndex, netnsid: null, out int errno);
            if (port is null)
            {
                return Unreadable($"its link cannot be read: {LibcExtras.ErrnoText(errno)}");
            }
            if (port.Kind != "veth")
            {
                return Refused("not a veth: whether its driver takes XDP frames is not known");
            }
            if (port.LinkIndex == 0)
            {
                return Refused("its veth peer is not visible");
            }
            LinkAttributes? peer = query.GetLink(port.LinkIndex, port.LinkNetnsid, out errno);
            if (peer?.Name is null)
            {
                return errno == LibC.ENODEV ? Refused("its veth peer is not found")
                    : Unreadable($"its veth peer cannot be read: {LibcExtras.ErrnoText(errno)}");
            }
            if (port.LinkNetnsid is not int nsid)
            {
                return PeerTakesRedirects(peer, null, null);
            }
            if (_namespaces.Open(query, nsid) is not var (netns, description))
            {
                return peer.HasXdp ? Confirmed($"peer {peer.Name} in namespace id {nsid} runs an XDP program")
                    : Unreadable($"peer {peer.Name} is in namespace id {nsid}, which no named namespace and no process holds");
            }
            using (netns)
            {
                return PeerTakesRedirects(peer, netns, description);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            return Unreadable($"its veth peer cannot be read: {e.Message}");
        }
    }

    /// <param name="namespaceDescription">Words for the peer's namespace ("namespace NAME"); null when it is ours.</param>
    private static EgressAnswer PeerTakesRedirects(LinkAttributes peer, SafeFileHandle? netns, string? namespaceDescription)
    {
        string where = namespaceDescription is null ? peer.Name! : $"{peer.Name} in {namespaceDescription}";
        if (peer.HasXdp)
        {
            return Confirmed($"peer {where} runs an XDP program");
        }
        int errno;
        bool groOn;
        try
        {
            errno = InterfaceGro.Read(netns, namespaceDescription ?? "our namespace", peer.Name!, out groOn);
        }
        catch (InvalidOperationException e)
        {
            return Unreadable($"GRO of peer {where} unreadable: {e.Message}");
        }
        return errno != 0 ? Unreadable($"GRO of peer {where} unreadable: {LibcExtras.ErrnoText(errno)}")
            : groOn ? Confirmed($"peer {where} has GRO on")
            : Refused($"peer {where} has GRO off (ethtool -K {peer.Name} gro on)");
    }

    private static EgressAnswer Confirmed(string reason) => new(EgressVerdict.Confirmed, reason);

    private static EgressAnswer Refused(string reason) => new(EgressVerdict.Refused, reason);

    private static EgressAnswer Unreadable(string reason) => new(EgressVerdict.Unreadable, reason);
}
