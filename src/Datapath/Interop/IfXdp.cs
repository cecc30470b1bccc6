// AF_XDP socket mirrors (linux/if_xdp.h): the bind address, UMEM registration, ring offsets, the RX/TX
// descriptor, statistics, socket options and flags. Set-up code reads and writes the structs; the poll
// thread only touches xdp_desc and the ring words. Pinned against the headers by IfXdpLayoutTests.
using System.Runtime.InteropServices;

namespace FastBridge.Datapath.Interop;

internal static class IfXdp
{
    internal const int AfXdp = 44;
    internal const int SolXdp = 283;

    // sxdp_flags.
    internal const ushort XdpSharedUmem = 1 << 0, XdpCopy = 1 << 1, XdpZeroCopy = 1 << 2, XdpUseNeedWakeup = 1 << 3;

    /// <summary>
    /// XDP_USE_SG (kernel 6.6+): the socket takes frames longer than one chunk as several descriptors.
    /// Newer than the installed uapi headers (Debian's 6.1), so pinned by the kernel's answer to bind
    /// instead (IfXdpLayoutTests): it accepts this bit and refuses the next one.
    /// </summary>
    internal const ushort XdpUseSg = 1 << 4;

    /// <summary>
    /// XDP_PKT_CONTD (kernel 6.6+), in xdp_desc.options: the frame continues in the next descriptor. Newer
    /// than the installed headers too; pinned by the first descriptor of a received 9000-byte frame.
    /// </summary>
    internal const uint XdpPktContd = 1 << 0;

    /// <summary>Set in a ring's flags word when the kernel must be kicked (poll/recvfrom for fill, sendto for TX).</summary>
    internal const uint XdpRingNeedWakeup = 1 << 0;

    // SOL_XDP socket options.
    internal const int XdpMmapOffsets = 1, XdpRxRing = 2, XdpTxRing = 3, XdpUmemReg = 4;
    internal const int XdpUmemFillRing = 5, XdpUmemCompletionRing = 6, XdpStatistics = 7, XdpOptions = 8;

    internal const uint XdpOptionsZeroCopy = 1 << 0;

    // mmap page offsets of the four rings.
    internal const long XdpPgoffRxRing = 0, XdpPgoffTxRing = 0x80000000;
    internal const long XdpUmemPgoffFillRing = 0x100000000, XdpUmemPgoffCompletionRing = 0x180000000;

    /// <summary>XDP_PACKET_HEADROOM: the kernel puts received data this far into a frame (copy mode and most drivers).</summary>
    internal const int XdpPacketHeadroom = 256;

    [StructLayout(LayoutKind.Sequential)]
    internal struct SockaddrXdp
    {
        public ushort SxdpFamily;
        public ushort SxdpFlags;
        public uint SxdpIfindex;
        public uint SxdpQueueId;
        public uint SxdpSharedUmemFd;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct RingOffset
    {
        public ulong Producer;
        public ulong Consumer;
        public ulong Desc;
        public ulong Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct MmapOffsets
    {
        public RingOffset Rx;
        public RingOffset Tx;
        public RingOffset Fr;
        public RingOffset Cr;
    }

    /// <summary>struct xdp_umem_reg; the 4 bytes after Flags are tx_metadata_len on newer kernels, padding here, left 0.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 32)]
    internal struct UmemReg
    {
        public ulong Addr;
        public ulong Len;
        public uint ChunkSize;
        public uint Headroom;
        public uint Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct XdpDesc
    {
        public ulong Addr;
        public uint Len;
        public uint Options;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct Statistics
    {
        public ulong RxDropped;
        public ulong RxInvalidDescs;
        public ulong TxInvalidDescs;
        public ulong RxRingFull;
        public ulong RxFillRingEmptyDescs;
        public ulong TxRingEmptyDescs;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct Options
    {
        public uint Flags;
    }
}
