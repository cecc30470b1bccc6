// Set-up of the AF_PACKET port: the socket, the TPACKET_V3 rings in one mmap, bind, promiscuous
// membership and fanout, in the order the kernel requires. Runs once on the thread that adds the port;
// every failure names the interface, the step and the errno, and leaves nothing open behind it.
using System.Numerics;
using System.Runtime.InteropServices;
using FastBridge.Datapath.Frames;
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Xdp;
using static FastBridge.Datapath.Interop.IfPacket;
using FastBridge.Datapath.Common;
using Tmds.Linux;

namespace FastBridge.Datapath.Ports;

public sealed unsafe partial class AfPacketPort
{
    public AfPacketPort(NetInterfaceInfo iface, AfPacketOptions options, PortDrain? drain = null)
    {
        ArgumentNullException.ThrowIfNull(iface);
        ArgumentNullException.ThrowIfNull(options);
        Name = iface.Name;
        _drain = drain;
        MaxUntaggedFrameLength = iface.Mtu + EthernetFrame.HeaderLength;
        MaxFrameLength = MaxUntaggedFrameLength + VlanTag.Length;

        int pageSize = Environment.SystemPageSize;
        if (options.RxBlockSize <= 0 || options.RxBlockSize % pageSize != 0 || options.RxBlockCount <= 0 || options.TxFrameCount <= 0 || options.RetireTimeoutMs <= 0)
        {
            throw new ArgumentException($"interface {Name}: AfPacketOptions {options} invalid (block size a multiple of {pageSize}, counts and timeout positive)", nameof(options));
        }
        _rxBlockSize = options.RxBlockSize;
        _rxBlockCount = options.RxBlockCount;
        _txDataOffset = Tpacket3TxDataOffset;
        // Header + the longest frame + a tag re-inserted into a frame that arrived with one stripped.
        _txFrameSize = (int)BitOperations.RoundUpToPowerOf2((uint)(_txDataOffset + MaxFrameLength + VlanTag.Length));
        int txBlockSize = Math.Max(pageSize, _txFrameSize);
        int txFramesPerBlock = txBlockSize / _txFrameSize;
        int txBlockCount = (options.TxFrameCount + txFramesPerBlock - 1) / txFramesPerBlock;
        _txFrameCount = txBlockCount * txFramesPerBlock;

        // Protocol 0: no frames are queued to the socket (from any interface) until bind names one.
        _fd = LibC.socket(LibC.AF_PACKET, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, 0);
        if (_fd < 0)
        {
            throw Failure("socket(AF_PACKET, SOCK_RAW)", Marshal.GetLastPInvokeError());
        }
        try
        {
            SetInt(LibC.PACKET_VERSION, TpacketV3, "PACKET_VERSION TPACKET_V3");
            // Before any ring exists (the kernel refuses it after): a frame the kernel refuses to send is skipped and
            // its slot made available again, instead of TP_STATUS_WRONG_FORMAT, which halts transmission at that slot.
            SetInt(LibC.PACKET_LOSS, 1, "PACKET_LOSS");
            // V3 receive packs frames of any size into blocks; tp_frame_size is only checked (block / frame * blocks == frame_nr).
            int rxFrameSize = Math.Min(_txFrameSize, _rxBlockSize);
            var rx = new TpacketReq3
            {
                TpBlockSize = (uint)_rxBlockSize,
                TpBlockNr = (uint)_rxBlockCount,
                TpFrameSize = (uint)rxFrameSize,
                TpFrameNr = (uint)(_rxBlockSize / rxFrameSize * _rxBlockCount),
                TpRetireBlkTov = (uint)options.RetireTimeoutMs,
            };
            SetOption(LibC.PACKET_RX_RING, &rx, sizeof(TpacketReq3), "PACKET_RX_RING");
            // V3 transmit is frame based; it insists on retire timeout, private size and feature word 0.
            var tx = new TpacketReq3
            {
                TpBlockSize = (uint)txBlockSize,
                TpBlockNr = (uint)txBlockCount,
                TpFrameSize = (uint)_txFrameSize,
                TpFrameNr = (uint)_txFrameCount,
            };
            SetOption(LibC.PACKET_TX_RING, &tx, sizeof(TpacketReq3), "PACKET_TX_RING");
            SetInt(LibC.PACKET_QDISC_BYPASS, 1, "PACKET_QDISC_BYPASS");
            SetInt(LibC.PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING");

            nuint rxLength = (nuint)_rxBlockSize * (nuint)_rxBlockCount;
            _mapLength = rxLength + (nuint)txBlockSize * (nuint)txBlockCount;
            void* map = LibC.mmap(null, (size_t)_mapLength, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED | LibC.MAP_POPULATE, _fd, 0);
            if (map == LibC.MAP_FAILED)
            {
                throw Failure("mmap of the rings", Marshal.GetLastPInvokeError());
            }
            _map = (byte*)map;
            _rxRing = _map;
            _txRing = _map + rxLength;

            var address = new sockaddr_ll { sll_family = (ushort)LibC.AF_PACKET, sll_protocol = Htons(EthPAll), sll_ifindex = iface.IfIndex };
            if (LibC.bind(_fd, (sockaddr*)&address, sizeof(sockaddr_ll)) != 0)
            {
                throw Failure("bind", Marshal.GetLastPInvokeError());
            }
            // Binding to an interface that is down leaves ENETDOWN pending; it is not a failure of the port.
            LibcExtras.TakeSocketError(_fd);

            // The kernel drops the membership when the socket closes, even on kill -9: promiscuity is always undone.
            var mreq = new packet_mreq { mr_ifindex = iface.IfIndex, mr_type = (ushort)LibC.PACKET_MR_PROMISC };
            SetOption(LibC.PACKET_ADD_MEMBERSHIP, &mreq, sizeof(packet_mreq), "PACKET_ADD_MEMBERSHIP PACKET_MR_PROMISC");
            if (options.FanoutGroup != 0)
            {
                // Hash fanout keeps each flow on one poll loop, so it stays in order.
                SetInt(LibC.PACKET_FANOUT, options.FanoutGroup | (PacketFanoutHash << 16), $"PACKET_FANOUT group {options.FanoutGroup}");
            }
        }
        catch
        {
            ReleaseResources();
            throw;
        }
    }

    private void SetInt(int option, int value, string step) => SetOption(option, &value, sizeof(int), step);

    private void SetOption(int option, void* value, int length, string step)
    {
        if (LibC.setsockopt(_fd, LibC.SOL_PACKET, option, value, (uint)length) != 0)
        {
            throw Failure(step, Marshal.GetLastPInvokeError());
        }
    }

    private InvalidOperationException Failure(string step, int errno) =>
        new($"interface {Name}: AF_PACKET {step} failed: {LibcExtras.ErrnoText(errno)}{Privileges.RawSocketHint(errno)}");

    private void ReleaseResources()
    {
        if (_map != null)
        {
            LibC.munmap(_map, (size_t)_mapLength);
        }
        if (_fd >= 0)
        {
            LibC.close(_fd);
        }
    }
}
