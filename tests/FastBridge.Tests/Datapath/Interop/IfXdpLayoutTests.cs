// Pins the AF_XDP mirrors in Interop/IfXdp.cs against hard-coded values and the kernel headers (LayoutPins).
using System.Runtime.InteropServices;
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Xdp;
using static FastBridge.Datapath.Interop.IfXdp;
using static FastBridge.Tests.Datapath.Interop.LayoutPins;
using Tmds.Linux;

namespace FastBridge.Tests.Datapath.Interop;

public sealed class IfXdpLayoutTests
{
    private static readonly (string Name, string C, long Actual, long Expected)[] s_pins =
    [
        ("af_xdp", "AF_XDP", AfXdp, 44),
        ("sol_xdp", "SOL_XDP", SolXdp, 283),
        ("shared_umem", "XDP_SHARED_UMEM", XdpSharedUmem, 1),
        ("copy", "XDP_COPY", XdpCopy, 2),
        ("zerocopy", "XDP_ZEROCOPY", XdpZeroCopy, 4),
        ("need_wakeup", "XDP_USE_NEED_WAKEUP", XdpUseNeedWakeup, 8),
        ("ring_need_wakeup", "XDP_RING_NEED_WAKEUP", XdpRingNeedWakeup, 1),
        ("opt_mmap_offsets", "XDP_MMAP_OFFSETS", XdpMmapOffsets, 1),
        ("opt_rx_ring", "XDP_RX_RING", XdpRxRing, 2),
        ("opt_tx_ring", "XDP_TX_RING", XdpTxRing, 3),
        ("opt_umem_reg", "XDP_UMEM_REG", XdpUmemReg, 4),
        ("opt_fill_ring", "XDP_UMEM_FILL_RING", XdpUmemFillRing, 5),
        ("opt_completion_ring", "XDP_UMEM_COMPLETION_RING", XdpUmemCompletionRing, 6),
        ("opt_statistics", "XDP_STATISTICS", XdpStatistics, 7),
        ("opt_options", "XDP_OPTIONS", XdpOptions, 8),
        ("options_zerocopy", "XDP_OPTIONS_ZEROCOPY", XdpOptionsZeroCopy, 1),
        ("pgoff_rx", "XDP_PGOFF_RX_RING", XdpPgoffRxRing, 0),
        ("pgoff_tx", "XDP_PGOFF_TX_RING", XdpPgoffTxRing, 0x80000000),
        ("pgoff_fill", "XDP_UMEM_PGOFF_FILL_RING", XdpUmemPgoffFillRing, 0x100000000),
        ("pgoff_completion", "XDP_UMEM_PGOFF_COMPLETION_RING", XdpUmemPgoffCompletionRing, 0x180000000),
        ("sizeof_sockaddr_xdp", "sizeof(struct sockaddr_xdp)", Marshal.SizeOf<SockaddrXdp>(), 16),
        ("off_sxdp_flags", "offsetof(struct sockaddr_xdp, sxdp_flags)", Off<SockaddrXdp>("SxdpFlags"), 2),
        ("off_sxdp_ifindex", "offsetof(struct sockaddr_xdp, sxdp_ifindex)", Off<SockaddrXdp>("SxdpIfindex"), 4),
        ("off_sxdp_queue", "offsetof(struct sockaddr_xdp, sxdp_queue_id)", Off<SockaddrXdp>("SxdpQueueId"), 8),
        ("off_sxdp_shared", "offsetof(struct sockaddr_xdp, sxdp_shared_umem_fd)", Off<SockaddrXdp>("SxdpSharedUmemFd"), 12),
        ("sizeof_ring_offset", "sizeof(struct xdp_ring_offset)", Marshal.SizeOf<RingOffset>(), 32),
        ("off_ring_consumer", "offsetof(struct xdp_ring_offset, consumer)", Off<RingOffset>("Consumer"), 8),
        ("off_ring_desc", "offsetof(struct xdp_ring_offset, desc)", Off<RingOffset>("Desc"), 16),
        ("off_ring_flags", "offsetof(struct xdp_ring_offset, flags)", Off<RingOffset>("Flags"), 24),
        ("sizeof_mmap_offsets", "sizeof(struct xdp_mmap_offsets)", Marshal.SizeOf<MmapOffsets>(), 128),
        ("off_mmap_tx", "offsetof(struct xdp_mmap_offsets, tx)", Off<MmapOffsets>("Tx"), 32),
        ("off_mmap_fr", "offsetof(struct xdp_mmap_offsets, fr)", Off<MmapOffsets>("Fr"), 64),
        ("off_mmap_cr", "offsetof(struct xdp_mmap_offsets, cr)", Off<MmapOffsets>("Cr"), 96),
        ("sizeof_umem_reg", "sizeof(struct xdp_umem_reg)", Marshal.SizeOf<UmemReg>(), 32),
        ("off_umem_len", "offsetof(struct xdp_umem_reg, len)", Off<UmemReg>("Len"), 8),
        ("off_umem_chunk", "offsetof(struct xdp_umem_reg, chunk_size)", Off<UmemReg>("ChunkSize"), 16),
        ("off_umem_headroom", "offsetof(struct xdp_umem_reg, headroom)", Off<UmemReg>("Headroom"), 20),
        ("off_umem_flags", "offsetof(struct xdp_umem_reg, flags)", Off<UmemReg>("Flags"), 24),
        ("sizeof_desc", "sizeof(struct xdp_desc)", Marshal.SizeOf<XdpDesc>(), 16),
        ("off_desc_len", "offsetof(struct xdp_desc, len)", Off<XdpDesc>("Len"), 8),
        ("off_desc_options", "offsetof(struct xdp_desc, options)", Off<XdpDesc>("Options"), 12),
        ("sizeof_statistics", "sizeof(struct xdp_statistics)", Marshal.SizeOf<Statistics>(), 48),
        ("off_stats_invalid_rx", "offsetof(struct xdp_statistics, rx_invalid_descs)", Off<Statistics>("RxInvalidDescs"), 8),
        ("off_stats_invalid_tx", "offsetof(struct xdp_statistics, tx_invalid_descs)", Off<Statistics>("TxInvalidDescs"), 16),
        ("off_stats_ring_full", "offsetof(struct xdp_statistics, rx_ring_full)", Off<Statistics>("RxRingFull"), 24),
        ("off_stats_fill_empty", "offsetof(struct xdp_statistics, rx_fill_ring_empty_descs)", Off<Statistics>("RxFillRingEmptyDescs"), 32),
        ("off_stats_tx_empty", "offsetof(struct xdp_statistics, tx_ring_empty_descs)", Off<Statistics>("TxRingEmptyDescs"), 40),
        ("sizeof_options", "sizeof(struct xdp_options)", Marshal.SizeOf<Options>(), 4),
        ("xdp_packet_headroom", "XDP_PACKET_HEADROOM", XdpPacketHeadroom, 256),
        ("map_private", "MAP_PRIVATE", LibC.MAP_PRIVATE, 2),
        ("map_anonymous", "MAP_ANONYMOUS", LibC.MAP_ANONYMOUS, 0x20),
        ("map_hugetlb", "MAP_HUGETLB", LibC.MAP_HUGETLB, 0x40000),
    ];

    /// <summary>
    /// Newer than the installed uapi headers (Debian's 6.1 linux-libc-dev), so pinned here by value and
    /// against the running kernel instead: XDP_USE_SG by bind (below), XDP_PKT_CONTD by the descriptors of a
    /// received 9000-byte frame (XskSocketTests).
    /// </summary>
    private static readonly (string Name, long Actual, long Expected)[] s_newerThanHeaders =
    [
        ("XDP_USE_SG", XdpUseSg, 1 << 4),
        ("XDP_PKT_CONTD", XdpPktContd, 1 << 0),
    ];

    [Fact]
    public void Mirrors_HardCodedValues_Match() => AssertHardCoded([.. s_pins, .. s_newerThanHeaders.Select(p => (p.Name, "", p.Actual, p.Expected))]);

    [Fact]
    public unsafe void XdpUseSg_RunningKernel_AcceptsItAndRefusesTheNextBit()
    {
        // bind checks its flags first: a flag it knows gets as far as looking up ifindex 0 (ENODEV).
        Assert.True(XskSocket.KernelHasMultiBuffer(out string why), why);
        int fd = LibC.socket(AfXdp, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, 0);
        Assert.True(fd >= 0, $"socket(AF_XDP): errno {Marshal.GetLastPInvokeError()}");
        try
        {
            var address = new SockaddrXdp { SxdpFamily = AfXdp, SxdpFlags = XdpUseSg << 1 };
            Assert.NotEqual(0, LibC.bind(fd, (sockaddr*)&address, sizeof(SockaddrXdp)));
            Assert.Equal(LibC.EINVAL, Marshal.GetLastPInvokeError());
        }
        finally
        {
            LibC.close(fd);
        }
    }

    [Fact]
    public void Mirrors_KernelHeaders_Match() => AssertKernelHeaders(LinuxHeaders, s_pins);
}
