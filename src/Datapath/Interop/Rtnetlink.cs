// rtnetlink (NETLINK_ROUTE) as FastBridge uses it: a socket subscribed to RTMGRP_LINK that hears
// every interface appear, change (admin state, carrier, MTU) and vanish, and a dump request to
// learn them all at once. Every size, offset and constant here is pinned against the kernel headers
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

    internal const ushort NlmFRequest = 0x1;
    internal const ushort NlmFDump = 0x300;

    internal const ushort IflaIfname = 3;
    internal const ushort IflaMtu = 4;

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

    internal static int Align(int length) => (length + Alignment - 1) & ~(Alignment - 1);
}
