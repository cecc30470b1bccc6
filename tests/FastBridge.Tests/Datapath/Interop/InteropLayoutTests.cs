// Pins the AF_PACKET, netdevice, ethtool and libc mirrors in src/Datapath/Interop (and the lab's few
// constants beside them) against hard-coded values and the kernel headers (LayoutPins).
using System.Runtime.InteropServices;
using FastBridge.ControlPlane.Lab;
using FastBridge.Datapath.Frames;
using FastBridge.Datapath.Interop;
using static FastBridge.Datapath.Interop.IfPacket;
using static FastBridge.Tests.Datapath.Interop.LayoutPins;
using Tmds.Linux;

namespace FastBridge.Tests.Datapath.Interop;

public sealed class InteropLayoutTests
{
    /// <summary>The glibc and uapi headers of AF_PACKET, netdevice, ethtool, poll, mmap and errno.</summary>
    private static readonly string[] s_headers =
    [
        "#include <stdio.h>", "#include <stddef.h>", "#include <errno.h>", "#include <poll.h>",
        "#include <sched.h>", "#include <sys/socket.h>", "#include <sys/resource.h>", "#include <sys/mman.h>", "#include <net/if.h>",
        "#include <linux/if_packet.h>", "#include <linux/if_ether.h>", "#include <linux/sockios.h>",
        "#include <linux/if_arp.h>", "#include <linux/ethtool.h>", "#include <linux/if_vlan.h>",
        "#ifndef VLAN_HLEN", "#define VLAN_HLEN 4", "#endif",
    ];

    // name, C expression, C# value, expected value.
    private static readonly (string Name, string C, long Actual, long Expected)[] s_pins =
    [
        ("sizeof_sockaddr_ll", "sizeof(struct sockaddr_ll)", Marshal.SizeOf<sockaddr_ll>(), 20),
        ("off_sll_protocol", "offsetof(struct sockaddr_ll, sll_protocol)", Property<sockaddr_ll>("sll_protocol"), 2),
        ("off_sll_ifindex", "offsetof(struct sockaddr_ll, sll_ifindex)", Property<sockaddr_ll>("sll_ifindex"), 4),
        ("off_sll_hatype", "offsetof(struct sockaddr_ll, sll_hatype)", Property<sockaddr_ll>("sll_hatype"), 8),
        ("off_sll_pkttype", "offsetof(struct sockaddr_ll, sll_pkttype)", Property<sockaddr_ll>("sll_pkttype"), 10),
        ("off_sll_halen", "offsetof(struct sockaddr_ll, sll_halen)", Property<sockaddr_ll>("sll_halen"), 11),
        ("off_sll_addr", "offsetof(struct sockaddr_ll, sll_addr)", Off<sockaddr_ll>("sll_addr"), 12),
        ("sizeof_tpacket_req3", "sizeof(struct tpacket_req3)", Marshal.SizeOf<TpacketReq3>(), 28),
        ("off_req3_block_nr", "offsetof(struct tpacket_req3, tp_block_nr)", Off<TpacketReq3>("TpBlockNr"), 4),
        ("off_req3_frame_size", "offsetof(struct tpacket_req3, tp_frame_size)", Off<TpacketReq3>("TpFrameSize"), 8),
        ("off_req3_frame_nr", "offsetof(struct tpacket_req3, tp_frame_nr)", Off<TpacketReq3>("TpFrameNr"), 12),
        ("off_req3_retire", "offsetof(struct tpacket_req3, tp_retire_blk_tov)", Off<TpacketReq3>("TpRetireBlkTov"), 16),
        ("off_req3_priv", "offsetof(struct tpacket_req3, tp_sizeof_priv)", Off<TpacketReq3>("TpSizeofPriv"), 20),
        ("off_req3_feature", "offsetof(struct tpacket_req3, tp_feature_req_word)", Off<TpacketReq3>("TpFeatureReqWord"), 24),
        ("sizeof_tpacket3_hdr", "sizeof(struct tpacket3_hdr)", Marshal.SizeOf<Tpacket3Hdr>(), 48),
        ("off_h3_next", "offsetof(struct tpacket3_hdr, tp_next_offset)", Off<Tpacket3Hdr>("TpNextOffset"), 0),
        ("off_h3_sec", "offsetof(struct tpacket3_hdr, tp_sec)", Off<Tpacket3Hdr>("TpSec"), 4),
        ("off_h3_nsec", "offsetof(struct tpacket3_hdr, tp_nsec)", Off<Tpacket3Hdr>("TpNsec"), 8),
        ("off_h3_snaplen", "offsetof(struct tpacket3_hdr, tp_snaplen)", Off<Tpacket3Hdr>("TpSnaplen"), 12),
        ("off_h3_len", "offsetof(struct tpacket3_hdr, tp_len)", Off<Tpacket3Hdr>("TpLen"), 16),
        ("off_h3_status", "offsetof(struct tpacket3_hdr, tp_status)", Off<Tpacket3Hdr>("TpStatus"), 20),
        ("off_h3_mac", "offsetof(struct tpacket3_hdr, tp_mac)", Off<Tpacket3Hdr>("TpMac"), 24),
        ("off_h3_net", "offsetof(struct tpacket3_hdr, tp_net)", Off<Tpacket3Hdr>("TpNet"), 26),
        ("off_h3_hv1", "offsetof(struct tpacket3_hdr, hv1)", Off<Tpacket3Hdr>("Hv1"), 28),
        ("off_h3_padding", "offsetof(struct tpacket3_hdr, tp_padding)", Off<Tpacket3Hdr>("TpPadding"), 40),
        ("sizeof_hv1", "sizeof(struct tpacket_hdr_variant1)", Marshal.SizeOf<TpacketHdrVariant1>(), 12),
        ("off_hv1_tci", "offsetof(struct tpacket_hdr_variant1, tp_vlan_tci)", Off<TpacketHdrVariant1>("TpVlanTci"), 4),
        ("off_hv1_tpid", "offsetof(struct tpacket_hdr_variant1, tp_vlan_tpid)", Off<TpacketHdrVariant1>("TpVlanTpid"), 8),
        ("sizeof_block_desc", "sizeof(struct tpacket_block_desc)", Marshal.SizeOf<TpacketBlockDesc>(), 48),
        ("off_bd_hdr", "offsetof(struct tpacket_block_desc, hdr)", Off<TpacketBlockDesc>("Hdr"), 8),
        ("sizeof_hdr_v1", "sizeof(struct tpacket_hdr_v1)", Marshal.SizeOf<TpacketHdrV1>(), 40),
        ("off_v1_status", "offsetof(struct tpacket_hdr_v1, block_status)", Off<TpacketHdrV1>("BlockStatus"), 0),
        ("off_v1_num", "offsetof(struct tpacket_hdr_v1, num_pkts)", Off<TpacketHdrV1>("NumPkts"), 4),
        ("off_v1_first", "offsetof(struct tpacket_hdr_v1, offset_to_first_pkt)", Off<TpacketHdrV1>("OffsetToFirstPkt"), 8),
        ("off_v1_blklen", "offsetof(struct tpacket_hdr_v1, blk_len)", Off<TpacketHdrV1>("BlkLen"), 12),
        ("off_v1_seq", "offsetof(struct tpacket_hdr_v1, seq_num)", Off<TpacketHdrV1>("SeqNum"), 16),
        ("off_v1_ts_first", "offsetof(struct tpacket_hdr_v1, ts_first_pkt)", Off<TpacketHdrV1>("TsFirstPkt"), 24),
        ("off_v1_ts_last", "offsetof(struct tpacket_hdr_v1, ts_last_pkt)", Off<TpacketHdrV1>("TsLastPkt"), 32),
        ("sizeof_mreq", "sizeof(struct packet_mreq)", Marshal.SizeOf<packet_mreq>(), 16),
        ("off_mreq_type", "offsetof(struct packet_mreq, mr_type)", Property<packet_mreq>("mr_type"), 4),
        ("off_mreq_alen", "offsetof(struct packet_mreq, mr_alen)", Property<packet_mreq>("mr_alen"), 6),
        ("off_mreq_addr", "offsetof(struct packet_mreq, mr_address)", Off<packet_mreq>("mr_address"), 8),
        ("sizeof_stats_v3", "sizeof(struct tpacket_stats_v3)", Marshal.SizeOf<TpacketStatsV3>(), 12),
        ("off_stats_drops", "offsetof(struct tpacket_stats_v3, tp_drops)", Off<TpacketStatsV3>("TpDrops"), 4),
        ("off_stats_freeze", "offsetof(struct tpacket_stats_v3, tp_freeze_q_cnt)", Off<TpacketStatsV3>("TpFreezeQCnt"), 8),
        ("tpacket3_hdrlen", "TPACKET3_HDRLEN", Tpacket3HdrLen, 68),
        ("tx_data_offset", "TPACKET3_HDRLEN - sizeof(struct sockaddr_ll)", Tpacket3TxDataOffset, 48),
        ("tpacket_alignment", "TPACKET_ALIGNMENT", TpacketAlignment, 16),
        ("sol_packet", "SOL_PACKET", LibC.SOL_PACKET, 263),
        ("eth_p_all", "ETH_P_ALL", EthPAll, 3),
        // Ethernet's own numbers, defined once in Datapath/Frames and pinned here with the kernel's.
        ("eth_hlen", "ETH_HLEN", EthernetFrame.HeaderLength, 14),
        ("vlan_hlen", "VLAN_HLEN", VlanTag.Length, 4),
        ("eth_p_8021q", "ETH_P_8021Q", VlanTag.CustomerTpid, 0x8100),
        ("eth_p_8021ad", "ETH_P_8021AD", VlanTag.ServiceTpid, 0x88A8),
        ("packet_add_membership", "PACKET_ADD_MEMBERSHIP", LibC.PACKET_ADD_MEMBERSHIP, 1),
        ("packet_drop_membership", "PACKET_DROP_MEMBERSHIP", LibC.PACKET_DROP_MEMBERSHIP, 2),
        ("packet_rx_ring", "PACKET_RX_RING", LibC.PACKET_RX_RING, 5),
        ("packet_statistics", "PACKET_STATISTICS", LibC.PACKET_STATISTICS, 6),
        ("packet_auxdata", "PACKET_AUXDATA", LibC.PACKET_AUXDATA, 8),
        ("packet_version", "PACKET_VERSION", LibC.PACKET_VERSION, 10),
        ("packet_hdrlen", "PACKET_HDRLEN", LibC.PACKET_HDRLEN, 11),
        ("packet_tx_ring", "PACKET_TX_RING", LibC.PACKET_TX_RING, 13),
        ("packet_loss", "PACKET_LOSS", LibC.PACKET_LOSS, 14),
        ("packet_fanout", "PACKET_FANOUT", LibC.PACKET_FANOUT, 18),
        ("packet_qdisc_bypass", "PACKET_QDISC_BYPASS", LibC.PACKET_QDISC_BYPASS, 20),
        ("packet_ignore_outgoing", "PACKET_IGNORE_OUTGOING", LibC.PACKET_IGNORE_OUTGOING, 23),
        ("packet_fanout_hash", "PACKET_FANOUT_HASH", PacketFanoutHash, 0),
        ("packet_mr_promisc", "PACKET_MR_PROMISC", LibC.PACKET_MR_PROMISC, 1),
        ("tpacket_v3", "TPACKET_V3", TpacketV3, 2),
        ("tp_status_kernel", "TP_STATUS_KERNEL", TpStatusKernel, 0),
        ("tp_status_user", "TP_STATUS_USER", TpStatusUser, 1),
        ("tp_status_copy", "TP_STATUS_COPY", TpStatusCopy, 2),
        ("tp_status_losing", "TP_STATUS_LOSING", TpStatusLosing, 4),
        ("tp_status_vlan_valid", "TP_STATUS_VLAN_VALID", TpStatusVlanValid, 16),
        ("tp_status_blk_tmo", "TP_STATUS_BLK_TMO", TpStatusBlkTmo, 32),
        ("tp_status_vlan_tpid_valid", "TP_STATUS_VLAN_TPID_VALID", TpStatusVlanTpidValid, 64),
        ("tp_status_available", "TP_STATUS_AVAILABLE", TpStatusAvailable, 0),
        ("tp_status_send_request", "TP_STATUS_SEND_REQUEST", TpStatusSendRequest, 1),
        ("tp_status_sending", "TP_STATUS_SENDING", TpStatusSending, 2),
        ("tp_status_wrong_format", "TP_STATUS_WRONG_FORMAT", TpStatusWrongFormat, 4),
        ("sizeof_ifreq", "sizeof(struct ifreq)", Marshal.SizeOf<Netdevice.IfReq>(), 40),
        ("off_ifr_ifindex", "offsetof(struct ifreq, ifr_ifindex)", Off<Netdevice.IfReq>("IfIndex"), 16),
        ("off_ifr_hwaddr_data", "offsetof(struct ifreq, ifr_hwaddr.sa_data)", Off<Netdevice.IfReq>("HwAddrData"), 18),
        ("off_ifr_data", "offsetof(struct ifreq, ifr_data)", Off<Netdevice.IfReq>("Data"), 16),
        ("ifnamsiz", "IFNAMSIZ", Netdevice.IfNameSize, 16),
        ("siocgifflags", "SIOCGIFFLAGS", LibC.SIOCGIFFLAGS, 0x8913),
        ("siocgifmtu", "SIOCGIFMTU", LibC.SIOCGIFMTU, 0x8921),
        ("siocgifhwaddr", "SIOCGIFHWADDR", LibC.SIOCGIFHWADDR, 0x8927),
        ("siocgifindex", "SIOCGIFINDEX", LibC.SIOCGIFINDEX, 0x8933),
        ("siocethtool", "SIOCETHTOOL", Netdevice.SiocEthtool, 0x8946),
        ("iff_up", "IFF_UP", Netdevice.IffUp, 1),
        ("iff_loopback", "IFF_LOOPBACK", Netdevice.IffLoopback, 8),
        ("iff_promisc", "IFF_PROMISC", Netdevice.IffPromisc, 0x100),
        ("iff_running", "IFF_RUNNING", Netdevice.IffRunning, 0x40),
        ("arphrd_ether", "ARPHRD_ETHER", Netdevice.ArphrdEther, 1),
        ("arphrd_loopback", "ARPHRD_LOOPBACK", Netdevice.ArphrdLoopback, 772),
        ("arphrd_none", "ARPHRD_NONE", Netdevice.ArphrdNone, 0xFFFE),
        ("sizeof_ethtool_value", "sizeof(struct ethtool_value)", Marshal.SizeOf<Ethtool.EthtoolValue>(), 8),
        ("ethtool_gtxcsum", "ETHTOOL_GTXCSUM", SendOffloads.GTxCsum, 0x16),
        ("ethtool_stxcsum", "ETHTOOL_STXCSUM", SendOffloads.STxCsum, 0x17),
        ("ethtool_gtso", "ETHTOOL_GTSO", SendOffloads.GTso, 0x1e),
        ("ethtool_stso", "ETHTOOL_STSO", SendOffloads.STso, 0x1f),
        ("ethtool_ggso", "ETHTOOL_GGSO", SendOffloads.GGso, 0x23),
        ("ethtool_sgso", "ETHTOOL_SGSO", SendOffloads.SGso, 0x24),
        ("ethtool_gflags", "ETHTOOL_GFLAGS", Ethtool.GFlags, 0x25),
        ("ethtool_sflags", "ETHTOOL_SFLAGS", Ethtool.SFlags, 0x26),
        ("ethtool_ggro", "ETHTOOL_GGRO", Ethtool.GGro, 0x2b),
        ("ethtool_sgro", "ETHTOOL_SGRO", Ethtool.SGro, 0x2c),
        ("eth_flag_lro", "ETH_FLAG_LRO", Ethtool.EthFlagLro, 1 << 15),
        ("af_inet", "AF_INET", LibC.AF_INET, 2),
        ("af_packet", "AF_PACKET", LibC.AF_PACKET, 17),
        ("sock_raw", "SOCK_RAW", LibC.SOCK_RAW, 3),
        ("sock_dgram", "SOCK_DGRAM", LibC.SOCK_DGRAM, 2),
        ("sock_cloexec", "SOCK_CLOEXEC", LibC.SOCK_CLOEXEC, 0x80000),
        ("sol_socket", "SOL_SOCKET", LibC.SOL_SOCKET, 1),
        ("so_error", "SO_ERROR", LibC.SO_ERROR, 4),
        ("so_rcvbufforce", "SO_RCVBUFFORCE", LibC.SO_RCVBUFFORCE, 33),
        ("msg_dontwait", "MSG_DONTWAIT", LibC.MSG_DONTWAIT, 0x40),
        ("prot_read", "PROT_READ", LibC.PROT_READ, 1),
        ("prot_write", "PROT_WRITE", LibC.PROT_WRITE, 2),
        ("map_shared", "MAP_SHARED", LibC.MAP_SHARED, 1),
        ("map_populate", "MAP_POPULATE", LibC.MAP_POPULATE, 0x8000),
        ("clone_newnet", "CLONE_NEWNET", LibC.CLONE_NEWNET, 0x40000000),
        ("pollin", "POLLIN", LibC.POLLIN, 1),
        ("pollerr", "POLLERR", LibC.POLLERR, 8),
        ("pollhup", "POLLHUP", LibC.POLLHUP, 0x10),
        ("pollnval", "POLLNVAL", LibC.POLLNVAL, 0x20),
        ("sizeof_pollfd", "sizeof(struct pollfd)", Marshal.SizeOf<pollfd>(), 8),
        ("rlimit_memlock", "RLIMIT_MEMLOCK", LibcExtras.RlimitMemlock, 8),
        ("sizeof_rlimit", "sizeof(struct rlimit)", Marshal.SizeOf<LibcExtras.Rlimit>(), 16),
        ("off_rlim_max", "offsetof(struct rlimit, rlim_max)", Off<LibcExtras.Rlimit>("Maximum"), 8),
        ("eintr", "EINTR", LibC.EINTR, 4),
        ("enxio", "ENXIO", LibC.ENXIO, 6),
        ("ebadf", "EBADF", LibC.EBADF, 9),
        ("eagain", "EAGAIN", LibC.EAGAIN, 11),
        ("enodev", "ENODEV", LibC.ENODEV, 19),
        ("einval", "EINVAL", LibC.EINVAL, 22),
        ("eopnotsupp", "EOPNOTSUPP", LibC.EOPNOTSUPP, 95),
        ("enetdown", "ENETDOWN", LibC.ENETDOWN, 100),
        ("enobufs", "ENOBUFS", LibC.ENOBUFS, 105),
    ];

    /// <summary>The offset of a Tmds.LibC struct member it declares as an auto-property (its backing field).</summary>
    private static long Property<T>(string name) => Off<T>($"<{name}>k__BackingField");

    [Fact]
    public void Mirrors_HardCodedValues_Match() => AssertHardCoded(s_pins);

    [Fact]
    public void Mirrors_KernelHeaders_Match() => AssertKernelHeaders(s_headers, s_pins);

    [Fact]
    public void Htons_EthPAll_IsNetworkOrder()
    {
        Assert.Equal(0x0300, Htons(EthPAll));
    }
}
