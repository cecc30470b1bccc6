// What an RTM_NEWLINK message says of one interface beyond its ifinfomsg: its name and MTU (for the
// link monitor) and, for the fast path's egress check, its driver kind, the ifindex and namespace id of
// the link it pairs with (a veth's peer) and whether an XDP program is attached. The one parser of link
// attributes. Any thread.
using FastBridge.Datapath.Interop;
using static FastBridge.Datapath.Interop.Rtnetlink;

namespace FastBridge.Datapath.Ports;

/// <param name="Kind">IFLA_INFO_KIND ("veth", "dummy"); null for a device without one (a physical NIC, loopback).</param>
/// <param name="LinkIndex">IFLA_LINK: a veth's peer ifindex, 0 when absent or when the peer is gone.</param>
/// <param name="LinkNetnsid">IFLA_LINK_NETNSID: the id our namespace has for the peer's; null when the peer is in ours.</param>
/// <param name="HasXdp">IFLA_XDP_ATTACHED is not XDP_ATTACHED_NONE.</param>
internal sealed record LinkAttributes(string? Name, int Mtu, string? Kind, int LinkIndex, int? LinkNetnsid, bool HasXdp)
{
    public static LinkAttributes Parse(ReadOnlySpan<byte> attributes)
    {
        string? name = null, kind = null;
        int mtu = 0, link = 0;
        int? linkNetnsid = null;
        bool hasXdp = false;
        var walk = new RtAttributes(attributes);
        while (walk.MoveNext())
        {
            switch (walk.Type)
            {
                case IflaIfname:
                    name = walk.ValueAsString();
                    break;
                case IflaMtu:
                    mtu = walk.ValueAsInt32();
                    break;
                case IflaLink:
                    link = walk.ValueAsInt32();
                    break;
                case IflaLinkNetnsid when walk.Value.Length >= 4:
                    linkNetnsid = walk.ValueAsInt32();
                    break;
                case IflaLinkinfo:
                    kind = Nested(walk.Value, IflaInfoKind, out RtAttributes info) ? info.ValueAsString() : null;
                    break;
                case IflaXdp:
                    hasXdp = Nested(walk.Value, IflaXdpAttached, out RtAttributes xdp) && xdp.Value.Length >= 1 && xdp.Value[0] != XdpAttachedNone;
                    break;
            }
        }
        return new LinkAttributes(name, mtu, kind, link, linkNetnsid, hasXdp);
    }

    /// <summary>Finds the attribute of <paramref name="type"/> inside a nested one; <paramref name="found"/> stands on it.</summary>
    private static bool Nested(ReadOnlySpan<byte> nest, ushort type, out RtAttributes found)
    {
        found = new RtAttributes(nest);
        while (found.MoveNext())
        {
            if (found.Type == type)
            {
                return true;
            }
        }
        return false;
    }
}
