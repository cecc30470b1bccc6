// Whether the XDP fast path may redirect frames to a port. A veth delivers a redirected frame only if
// its peer has a NAPI context to take it on (veth_xdp_xmit drops it otherwise): the peer has GRO on,
// or an XDP program of its own. So for a veth this finds the peer (iproute2's link_index and
// link_netnsid, the namespace by its id), and reads its GRO flag there with the ethtool ioctl. Other
// drivers need ndo_xdp_xmit, which nothing reports to user space: they are not confirmed. Control
// plane, at port set-up; a few milliseconds per port.
using System.Text.Json;
using FastBridge.ControlPlane.Lab;
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Ports;
using Tmds.Linux;

namespace FastBridge.ControlPlane.Switch;

internal static class FastPathEgress
{
    /// <summary>(true, why) when the kernel can deliver XDP frames redirected to <paramref name="iface"/>; (false, why not) otherwise.</summary>
    public static (bool Confirmed, string Reason) Check(NetInterfaceInfo iface)
    {
        try
        {
            using JsonDocument link = JsonDocument.Parse(IpCommand.Ip("-j", "-d", "link", "show", "dev", iface.Name));
            JsonElement self = link.RootElement[0];
            if (!self.TryGetProperty("linkinfo", out JsonElement info) || info.GetProperty("info_kind").GetString() != "veth")
            {
                return (false, "not a veth: whether its driver takes XDP frames is not known");
            }
            if (!self.TryGetProperty("link_index", out JsonElement peerIndex))
            {
                return (false, "its veth peer is not visible");
            }
            string? netns = null;
            if (self.TryGetProperty("link_netnsid", out JsonElement nsid) && (netns = NamespaceOf(nsid.GetInt32())) is null)
            {
                return (false, "its veth peer is in a namespace without a name");
            }
            string[] peers = netns is null ? ["-j", "-d", "link", "show"] : ["-n", netns, "-j", "-d", "link", "show"];
            using JsonDocument all = JsonDocument.Parse(IpCommand.Ip(peers));
            foreach (JsonElement peer in all.RootElement.EnumerateArray())
            {
                if (peer.GetProperty("ifindex").GetInt32() == peerIndex.GetInt32())
                {
                    return PeerTakesRedirects(peer.GetProperty("ifname").GetString()!, netns, peer.TryGetProperty("xdp", out _));
                }
            }
            return (false, "its veth peer is not found");
        }
        catch (Exception e) when (e is InvalidOperationException or JsonException or KeyNotFoundException or IOException)
        {
            return (false, $"its veth peer cannot be read: {e.Message}");
        }
    }

    private static (bool, string) PeerTakesRedirects(string peer, string? netns, bool hasXdp)
    {
        string where = netns is null ? peer : $"{peer} in namespace {netns}";
        if (hasXdp)
        {
            return (true, $"peer {where} runs an XDP program");
        }
        uint gro = 0;
        int errno = 0;
        void Read()
        {
            int fd = PortOffloads.OpenControl(peer);
            try
            {
                errno = Ethtool.Get(fd, peer, Ethtool.GGro, out gro);
            }
            finally
            {
                LibC.close(fd);
            }
        }
        if (netns is null)
        {
            Read();
        }
        else
        {
            Namespaces.RunIn(netns, Read);
        }
        return errno != 0 ? (false, $"GRO of peer {where} unreadable: {LibcExtras.ErrnoText(errno)}")
            : gro != 0 ? (true, $"peer {where} has GRO on")
            : (false, $"peer {where} has GRO off (ethtool -K {peer} gro on)");
    }

    /// <summary>The name of the namespace our namespace knows by <paramref name="nsid"/>, from `ip netns list`.</summary>
    private static string? NamespaceOf(int nsid)
    {
        string text = IpCommand.Ip("-j", "netns", "list");
        using JsonDocument list = JsonDocument.Parse(text.Length == 0 ? "[]" : text);
        foreach (JsonElement ns in list.RootElement.EnumerateArray())
        {
            if (ns.TryGetProperty("id", out JsonElement id) && id.GetInt32() == nsid)
            {
                return ns.GetProperty("name").GetString();
            }
        }
        return null;
    }
}
