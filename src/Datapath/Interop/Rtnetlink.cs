// rtnetlink (NETLINK_ROUTE) as FastBridge uses it: a socket subscribed to RTMGRP_LINK that hears
// every interface appear, change (admin state, carrier, MTU) and vanish, and a dump request to
// learn them all at once; one-interface requests (RTM_GETLINK by index, in our namespace or in a peer
// namespace by its id) and namespace-id requests (RTM_GETNSID for a namespace fd). Every size, offset and constant here is pinned against the kernel headers
// by RtnetlinkLayoutTests; the interface flags (IFF_*) are Netdevice's. Documentation: rtnetlink(7), netlink(7).
using System.Runtime.InteropServices;

namespace FastBridge.Datapath.Interop;

internal static class Rtnetlink
{
    // AF_NETLINK is Tmds.LibC's; the rest is ours because Tmds.LibC 0.5.0 has no netlink protocol,
    // group, message or attribute definitions.
    internal const int NetlinkRoute = 0;
    internal const uint RtmgrpLink = 1;

    internal const ushort NlmsgError = 2;
    internal const ushort NlmsgDone = 3;
    internal const ushort RtmNewlink = 16;
    internal const ushort RtmDellink = 17;
    internal const ushort RtmGetlink = 18;
    internal const ushort RtmNewnsid = 88;
    internal const ushort RtmGetnsid = 90;

    internal const ushort NlmFRequest = 0x1;
    internal const ushort NlmFDump = 0x300;

    internal const ushort IflaIfname = 3;
    internal const ushort IflaMtu = 4;
    internal const ushort IflaLink = 5;
    internal const ushort IflaLinkinfo = 18;
    internal const ushort IflaLinkNetnsid = 37;
    internal const ushort IflaXdp = 43;
    internal const ushort IflaTargetNetnsid = 46;

    /// <summary>Inside IFLA_LINKINFO: the driver's kind ("veth", "dummy", ...).</summary>
    internal const ushort IflaInfoKind = 1;

    /// <summary>Inside IFLA_XDP: which XDP program mode is attached, XDP_ATTACHED_NONE when none.</summary>
    internal const ushort IflaXdpAttached = 2;
    internal const byte XdpAttachedNone = 0;

    internal const ushort NetnsaNsid = 1;
    internal const ushort NetnsaFd = 3;

    /// <summary>The id RTM_GETNSID answers for a namespace ours has no id for (NETNSA_NSID_NOT_ASSIGNED).</summary>
    internal const int NetnsaNsidNotAssigned = -1;

    /// <summary>An attribute's type without the NLA_F_NESTED and NLA_F_NET_BYTEORDER flags (NLA_TYPE_MASK).</summary>
    internal const ushort NlaTypeMask = 0x3FFF;

    /// <summary>Netlink messages and attributes start on 4-byte boundaries (NLMSG_ALIGN, RTA_ALIGN).</summary>
    internal const int Alignment = 4;

    [StructLayout(LayoutKind.Sequential)]
    internal struct SockaddrNl
    {
        public ushort NlFamily;
        public ushort NlPad;
        public uint NlPid;
        public uint NlGroups;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct NlMsgHdr
    {
        public uint NlmsgLen;
        public ushort NlmsgType;
        public ushort NlmsgFlags;
        public uint NlmsgSeq;
        public uint NlmsgPid;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct IfInfoMsg
    {
        public byte IfiFamily;
        public byte IfiPad;
        public ushort IfiType;
        public int IfiIndex;
        public uint IfiFlags;
        public uint IfiChange;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct RtAttr
    {
        public ushort RtaLen;
        public ushort RtaType;
    }

    /// <summary>RTM_GETLINK with NLM_F_DUMP: the kernel answers with an RTM_NEWLINK for every interface, then NLMSG_DONE.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct LinkDumpRequest
    {
        public NlMsgHdr Header;
        public IfInfoMsg Body;
    }

    /// <summary>An attribute carrying one 32-bit value (IFLA_TARGET_NETNSID, NETNSA_FD).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Int32Attribute
    {
        public RtAttr Header;
        public int Value;
    }

    /// <summary>RTM_GETLINK for one ifindex; the attribute IFLA_TARGET_NETNSID asks for it in the namespace of that id.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct LinkRequest
    {
        public NlMsgHdr Header;
        public IfInfoMsg Body;
        public Int32Attribute TargetNetnsid;
    }

    /// <summary>
    /// struct rtgenmsg (one byte, the family) padded to NLMSG_ALIGN as the kernel reads it: what RTM_GETNSID and
    /// RTM_NEWNSID carry before their attributes.
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Size = 4)]
    internal struct RtGenMsg
    {
        public byte RtgenFamily;
    }

    /// <summary>RTM_GETNSID for a namespace fd (NETNSA_FD): the kernel answers RTM_NEWNSID with NETNSA_NSID, ours for it.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct NsidRequest
    {
        public NlMsgHdr Header;
        public RtGenMsg Body;
        public Int32Attribute Fd;
    }

    internal static int Align(int length) => (length + Alignment - 1) & ~(Alignment - 1);
}
