// Mirrors of <linux/if_packet.h> and <linux/if_ether.h> for AF_PACKET with TPACKET_V3 rings.
// Every size, offset and constant here is pinned against the kernel headers by
// tests/FastBridge.Tests/Interop/InteropLayoutTests (a C program compiled with gcc prints them).
using System.Runtime.InteropServices;
using Tmds.Linux;

namespace FastBridge.Datapath.Interop;

internal static class IfPacket
{
    // SOL_PACKET, its socket options, PACKET_MR_PROMISC, sockaddr_ll and packet_mreq are Tmds.LibC's;
    // what follows is ours because Tmds.LibC 0.5.0 lacks it (the TPACKET_V3 ring structs and values,
    // ETH_P_ALL, PACKET_FANOUT_HASH).
    internal const ushort EthPAll = 0x0003;

    internal const int PacketFanoutHash = 0;

    /// <summary>enum tpacket_versions: TPACKET_V1 = 0, V2 = 1, V3 = 2.</summary>
    internal const int TpacketV3 = 2;

    internal const int TpacketAlignment = 16;

    // Receive ring status bits (tp_status, block_status).
    internal const uint TpStatusKernel = 0;
    internal const uint TpStatusUser = 1 << 0;
    internal const uint TpStatusCopy = 1 << 1;
    internal const uint TpStatusLosing = 1 << 2;
    internal const uint TpStatusVlanValid = 1 << 4;
    internal const uint TpStatusBlkTmo = 1 << 5;
    internal const uint TpStatusVlanTpidValid = 1 << 6;

    // Transmit ring status values.
    internal const uint TpStatusAvailable = 0;
    internal const uint TpStatusSendRequest = 1 << 0;
    internal const uint TpStatusSending = 1 << 1;
    internal const uint TpStatusWrongFormat = 1 << 2;

    internal static int TpacketAlign(int x) => (x + TpacketAlignment - 1) & ~(TpacketAlignment - 1);

    /// <summary>TPACKET3_HDRLEN: TPACKET_ALIGN(sizeof(tpacket3_hdr)) + sizeof(sockaddr_ll) = 68.</summary>
    internal static unsafe int Tpacket3HdrLen => TpacketAlign(sizeof(Tpacket3Hdr)) + sizeof(sockaddr_ll);

    /// <summary>
    /// Where a TX frame's data starts without PACKET_TX_HAS_OFF: the kernel (tpacket_parse_header) uses
    /// po->tp_hdrlen - sizeof(struct sockaddr_ll) = TPACKET3_HDRLEN - 20 = 48, right after the aligned header.
    /// </summary>
    internal static unsafe int Tpacket3TxDataOffset => Tpacket3HdrLen - sizeof(sockaddr_ll);

    [StructLayout(LayoutKind.Sequential)]
    internal struct TpacketReq3
    {
        public uint TpBlockSize;
        public uint TpBlockNr;
        public uint TpFrameSize;
        public uint TpFrameNr;
        public uint TpRetireBlkTov;
        public uint TpSizeofPriv;
        public uint TpFeatureReqWord;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct TpacketHdrVariant1
    {
        public uint TpRxhash;
        public uint TpVlanTci;
        public ushort TpVlanTpid;
        public ushort TpPadding;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct Tpacket3Hdr
    {
        public uint TpNextOffset;
        public uint TpSec;
        public uint TpNsec;
        public uint TpSnaplen;
        public uint TpLen;
        public uint TpStatus;
        public ushort TpMac;
        public ushort TpNet;
        public TpacketHdrVariant1 Hv1;
        public fixed byte TpPadding[8];
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct TpacketBdTs
    {
        public uint TsSec;
        public uint TsUsecOrNsec;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct TpacketHdrV1
    {
        public uint BlockStatus;
        public uint NumPkts;
        public uint OffsetToFirstPkt;
        public uint BlkLen;
        public ulong SeqNum;
        public TpacketBdTs TsFirstPkt;
        public TpacketBdTs TsLastPkt;
    }

    /// <summary>struct tpacket_block_desc with its only union member, tpacket_hdr_v1.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct TpacketBlockDesc
    {
        public uint Version;
        public uint OffsetToPriv;
        public TpacketHdrV1 Hdr;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct TpacketStatsV3
    {
        public uint TpPackets;
        public uint TpDrops;
        public uint TpFreezeQCnt;
    }

    internal static ushort Htons(ushort value) => BitConverter.IsLittleEndian ? (ushort)((value << 8) | (value >> 8)) : value;
}
