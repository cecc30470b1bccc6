// Pins the rtnetlink mirrors in Interop/Rtnetlink.cs against hard-coded values and the kernel headers (LayoutPins).
using System.Runtime.InteropServices;
using static FastBridge.Datapath.Interop.Rtnetlink;
using static FastBridge.Tests.Datapath.Interop.LayoutPins;
using Tmds.Linux;

namespace FastBridge.Tests.Datapath.Interop;

public sealed class RtnetlinkLayoutTests
{
    private static readonly (string Name, string C, long Actual, long Expected)[] s_pins =
    [
        ("af_netlink", "AF_NETLINK", LibC.AF_NETLINK, 16),
        ("netlink_route", "NETLINK_ROUTE", NetlinkRoute, 0),
        ("rtmgrp_link", "RTMGRP_LINK", RtmgrpLink, 1),
        ("nlmsg_error", "NLMSG_ERROR", NlmsgError, 2),
        ("nlmsg_done", "NLMSG_DONE", NlmsgDone, 3),
        ("rtm_newlink", "RTM_NEWLINK", RtmNewlink, 16),
        ("rtm_dellink", "RTM_DELLINK", RtmDellink, 17),
        ("rtm_getlink", "RTM_GETLINK", RtmGetlink, 18),
        ("nlm_f_request", "NLM_F_REQUEST", NlmFRequest, 1),
        ("nlm_f_dump", "NLM_F_DUMP", NlmFDump, 0x300),
        ("ifla_ifname", "IFLA_IFNAME", IflaIfname, 3),
        ("ifla_mtu", "IFLA_MTU", IflaMtu, 4),
        ("nlmsg_alignto", "NLMSG_ALIGNTO", Alignment, 4),
        ("rta_alignto", "RTA_ALIGNTO", Alignment, 4),
        ("sizeof_sockaddr_nl", "sizeof(struct sockaddr_nl)", Marshal.SizeOf<SockaddrNl>(), 12),
        ("off_nl_pid", "offsetof(struct sockaddr_nl, nl_pid)", Off<SockaddrNl>("NlPid"), 4),
        ("off_nl_groups", "offsetof(struct sockaddr_nl, nl_groups)", Off<SockaddrNl>("NlGroups"), 8),
        ("sizeof_nlmsghdr", "sizeof(struct nlmsghdr)", Marshal.SizeOf<NlMsgHdr>(), 16),
        ("off_nlmsg_type", "offsetof(struct nlmsghdr, nlmsg_type)", Off<NlMsgHdr>("NlmsgType"), 4),
        ("off_nlmsg_flags", "offsetof(struct nlmsghdr, nlmsg_flags)", Off<NlMsgHdr>("NlmsgFlags"), 6),
        ("off_nlmsg_seq", "offsetof(struct nlmsghdr, nlmsg_seq)", Off<NlMsgHdr>("NlmsgSeq"), 8),
        ("off_nlmsg_pid", "offsetof(struct nlmsghdr, nlmsg_pid)", Off<NlMsgHdr>("NlmsgPid"), 12),
        ("sizeof_ifinfomsg", "sizeof(struct ifinfomsg)", Marshal.SizeOf<IfInfoMsg>(), 16),
        ("off_ifi_type", "offsetof(struct ifinfomsg, ifi_type)", Off<IfInfoMsg>("IfiType"), 2),
        ("off_ifi_index", "offsetof(struct ifinfomsg, ifi_index)", Off<IfInfoMsg>("IfiIndex"), 4),
        ("off_ifi_flags", "offsetof(struct ifinfomsg, ifi_flags)", Off<IfInfoMsg>("IfiFlags"), 8),
        ("off_ifi_change", "offsetof(struct ifinfomsg, ifi_change)", Off<IfInfoMsg>("IfiChange"), 12),
        ("sizeof_rtattr", "sizeof(struct rtattr)", Marshal.SizeOf<RtAttr>(), 4),
        ("off_rta_type", "offsetof(struct rtattr, rta_type)", Off<RtAttr>("RtaType"), 2),
        ("nlmsg_hdrlen", "NLMSG_HDRLEN", Marshal.SizeOf<NlMsgHdr>(), 16),
        ("rtm_newnsid", "RTM_NEWNSID", RtmNewnsid, 88),
        ("rtm_getnsid", "RTM_GETNSID", RtmGetnsid, 90),
        ("ifla_link", "IFLA_LINK", IflaLink, 5),
        ("ifla_linkinfo", "IFLA_LINKINFO", IflaLinkinfo, 18),
        ("ifla_link_netnsid", "IFLA_LINK_NETNSID", IflaLinkNetnsid, 37),
        ("ifla_xdp", "IFLA_XDP", IflaXdp, 43),
        ("ifla_target_netnsid", "IFLA_TARGET_NETNSID", IflaTargetNetnsid, 46),
        ("ifla_info_kind", "IFLA_INFO_KIND", IflaInfoKind, 1),
        ("ifla_xdp_attached", "IFLA_XDP_ATTACHED", IflaXdpAttached, 2),
        ("xdp_attached_none", "XDP_ATTACHED_NONE", XdpAttachedNone, 0),
        ("netnsa_nsid", "NETNSA_NSID", NetnsaNsid, 1),
        ("netnsa_fd", "NETNSA_FD", NetnsaFd, 3),
        ("netnsa_nsid_not_assigned", "NETNSA_NSID_NOT_ASSIGNED", NetnsaNsidNotAssigned, -1),
        ("nla_type_mask", "(unsigned short)NLA_TYPE_MASK", NlaTypeMask, 0x3FFF),
        ("sizeof_rtgenmsg_aligned", "NLMSG_ALIGN(sizeof(struct rtgenmsg))", Marshal.SizeOf<RtGenMsg>(), 4),
        ("sizeof_int32_attribute", "RTA_SPACE(sizeof(int))", Marshal.SizeOf<Int32Attribute>(), 8),
        ("off_int32_attribute_value", "RTA_LENGTH(0)", Off<Int32Attribute>("Value"), 4),
        ("off_link_request_body", "NLMSG_HDRLEN", Off<LinkRequest>("Body"), 16),
        ("off_link_request_attribute", "NLMSG_LENGTH(sizeof(struct ifinfomsg))", Off<LinkRequest>("TargetNetnsid"), 32),
        ("sizeof_link_request", "NLMSG_LENGTH(sizeof(struct ifinfomsg)) + RTA_SPACE(sizeof(int))", Marshal.SizeOf<LinkRequest>(), 40),
        ("off_nsid_request_attribute", "NLMSG_LENGTH(NLMSG_ALIGN(sizeof(struct rtgenmsg)))", Off<NsidRequest>("Fd"), 20),
        ("sizeof_nsid_request", "NLMSG_LENGTH(NLMSG_ALIGN(sizeof(struct rtgenmsg))) + RTA_SPACE(sizeof(int))", Marshal.SizeOf<NsidRequest>(), 28),
    ];

    [Fact]
    public void Mirrors_HardCodedValues_Match() => AssertHardCoded(s_pins);

    [Fact]
    public void Mirrors_KernelHeaders_Match() => AssertKernelHeaders(LinuxHeaders, s_pins);
}
