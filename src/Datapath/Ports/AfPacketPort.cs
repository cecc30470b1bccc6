// The AF_PACKET port backend: one socket per (poll loop, interface) with a TPACKET_V3 block ring for
// receive and a frame ring for transmit, both in one mmap. Only the owning poll thread calls
// Receive/ReleaseReceived/Transmit/Flush, which never throw, allocate or block; the stats reader calls
// AddBackendDrops. Set-up in the constructor fails loudly, naming the interface, the step and the errno.
// Set-up lives in AfPacketPort.Setup.cs. Layout and kernel rules: Documentation/networking/packet_mmap.rst, net/packet/af_packet.c.
using System.Diagnostics;
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Frames;
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Xdp;
using static FastBridge.Datapath.Interop.IfPacket;
using Tmds.Linux;

namespace FastBridge.Datapath.Ports;

/// <param name="FanoutGroup">PACKET_FANOUT group id shared by the sockets of several poll loops on one interface; 0 = no fanout.</param>
/// <param name="RxBlockSize">Receive block size in bytes (a multiple of the page size; also the largest frame received whole).</param>
/// <param name="RxBlockCount">
/// Receive blocks. 256 x 64 KiB = 16 MiB absorbs ~10 ms of 10 Gb/s line rate, and, because the kernel
/// hands a block over after RetireTimeoutMs however few frames it holds, 256 ms of a poll loop that does
/// not run while frames trickle in. With 64 x 256 KiB (the same memory) that was 64 ms: loops stalled
/// longer than that under a loaded test run (JIT at start, preemption) and lost 46 of 186 and 2115 of
/// 16450 paced frames as rx_ring_full (daemon tests, 2026-12-02).
/// </param>
/// <param name="TxFrameCount">Transmit slots (rounded up to fill whole blocks).</param>
/// <param name="RetireTimeoutMs">tp_retire_blk_tov: a partly filled block is handed over after this long, so latency at low rate is ~1 ms.</param>
public sealed record AfPacketOptions(ushort FanoutGroup = 0, int RxBlockSize = 1 << 16, int RxBlockCount = 256, int TxFrameCount = 1024, int RetireTimeoutMs = 1);

public sealed unsafe partial class AfPacketPort : IPort
{
    private readonly int _fd;
    private readonly byte* _map;
    private readonly nuint _mapLength;

    private readonly byte* _rxRing;
    private readonly int _rxBlockSize;
    private readonly int _rxBlockCount;
    private int _rxBlock;          // block Receive reads (or will read) next
    private bool _rxInBlock;       // _rxBlock was opened and has _rxLeft packets left at _rxNext
    private uint _rxLeft;
    private byte* _rxNext;
    private int _rxDoneBlocks;     // fully read blocks before _rxBlock, returned to the kernel by ReleaseReceived
    private int _failedErrno;
    private ErrorCheckPacing _errorChecks;

    private readonly byte* _txRing;
    private readonly int _txFrameSize;
    private readonly int _txFrameCount;
    private readonly int _txDataOffset;
    private int _txHead;
    private bool _txPending;
    private Tpacket3Hdr* _txLast;   // the slot queued last: the kernel has taken every slot once this one left SEND_REQUEST

    private readonly PortDrain? _drain;   // the port's fast-path program's drain, when it has one
    private ulong _unmarked;   // frames taken off the RX ring since the last MarkForwarded

    // Single writer (the poll thread); the stats reader reads them whole (64-bit loads do not tear).
    private ulong _truncated;
    private ulong _txRefused;   // slots the kernel marked TP_STATUS_WRONG_FORMAT (a frame it would not send)
    // Only the stats reader touches this: PACKET_STATISTICS resets tp_drops on every read.
    private ulong _rxRingDrops;
    private bool _disposed;

    public string Name { get; }

    public int MaxFrameLength { get; }

    public int MaxUntaggedFrameLength { get; }

    public int PollFd => _fd;

    /// <summary>Transmit slots (TxFrameCount rounded up to whole blocks).</summary>
    public int TxFrameCount => _txFrameCount;

    public int Receive(FrameBatch batch)
    {
        if (_failedErrno != 0)
        {
            return -_failedErrno;
        }
        int added = 0;
        while (!batch.IsFull)
        {
            if (!_rxInBlock && !TryOpenBlock())
            {
                break;
            }
            var hdr = (Tpacket3Hdr*)_rxNext;
            _rxNext += hdr->TpNextOffset;
            _unmarked++;
            if (--_rxLeft == 0)
            {
                CloseBlock();
            }
            if (hdr->TpSnaplen < hdr->TpLen)
            {
                _truncated++;
                continue;
            }
            uint status = hdr->TpStatus;
            ushort tpid = 0, tci = 0;
            if ((status & TpStatusVlanValid) != 0)
            {
                tci = (ushort)hdr->Hv1.TpVlanTci;
                tpid = (status & TpStatusVlanTpidValid) != 0 ? hdr->Hv1.TpVlanTpid : VlanTag.CustomerTpid;
            }
            batch.Add((byte*)hdr + hdr->TpMac, (int)hdr->TpSnaplen, tpid, tci);
            added++;
        }
        return added == 0 ? CheckFailed() : added;
    }

    public void ReleaseReceived()
    {
        int block = _rxBlock - _rxDoneBlocks;
        if (block < 0)
        {
            block += _rxBlockCount;
        }
        for (; _rxDoneBlocks > 0; _rxDoneBlocks--)
        {
            Volatile.Write(ref BlockHeader(block)->BlockStatus, TpStatusKernel);
            block = block + 1 == _rxBlockCount ? 0 : block + 1;
        }
    }

    /// <summary>
    /// Copies frames into free TX slots in order (re-inserting a stripped tag) and returns how many indices
    /// were consumed; the rest found no free slot. Every frame fits this port's size rule (IPort's contract).
    /// PACKET_LOSS (set up front) makes the kernel skip a slot it refuses anyway (an MTU lowered under us)
    /// instead of marking it TP_STATUS_WRONG_FORMAT and halting the whole ring there until it wraps.
    /// </summary>
    public int Transmit(FrameBatch batch, ReadOnlySpan<int> indices)
    {
        int done = 0;
        for (; done < indices.Length; done++)
        {
            ref FrameRef frame = ref batch[indices[done]];
            Debug.Assert(frame.Length >= EthernetFrame.HeaderLength && frame.Fits(MaxFrameLength, MaxUntaggedFrameLength), "the forwarder holds back frames that do not fit");
            int wireLength = frame.WireLength;
            byte* slot = _txRing + (nint)_txHead * _txFrameSize;
            var hdr = (Tpacket3Hdr*)slot;
            uint status = Volatile.Read(ref hdr->TpStatus);
            if (status == TpStatusWrongFormat)
            {
                _txRefused++; // never with PACKET_LOSS; should a kernel still leave one, the slot is reused at once
            }
            else if (status != TpStatusAvailable)
            {
                break;
            }
            frame.CopyToWire(new Span<byte>(slot + _txDataOffset, wireLength));
            hdr->TpNextOffset = 0;
            hdr->TpLen = (uint)wireLength;
            hdr->TpSnaplen = (uint)wireLength;
            Volatile.Write(ref hdr->TpStatus, TpStatusSendRequest);
            _txLast = hdr;
            _txHead = _txHead + 1 == _txFrameCount ? 0 : _txHead + 1;
            _txPending = true;
        }
        return done;
    }

    public void Flush()
    {
        if (!_txPending)
        {
            return;
        }
        _txPending = false;
        // EAGAIN/ENOBUFS leave the slots queued and the next kick sends them; ENETDOWN surfaces in Receive.
        LibC.sendto(_fd, null, 0, LibC.MSG_DONTWAIT, null, 0);
    }

    public bool TransmitQueued => _txPending || (_txLast != null && Volatile.Read(ref _txLast->TpStatus) == TpStatusSendRequest);

    public void MarkForwarded()
    {
        _drain?.Forwarded(_unmarked);
        _unmarked = 0;
    }

    public void AddBackendDrops(Span<ulong> byReason)
    {
        if (!_disposed)
        {
            TpacketStatsV3 stats;
            socklen_t length = sizeof(TpacketStatsV3);
            if (LibC.getsockopt(_fd, LibC.SOL_PACKET, LibC.PACKET_STATISTICS, &stats, &length) == 0)
            {
                _rxRingDrops += stats.TpDrops;
            }
        }
        byReason[(int)DropReason.RxRingFull] += _rxRingDrops;
        byReason[(int)DropReason.TooBig] += Volatile.Read(ref _truncated) + Volatile.Read(ref _txRefused);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        ReleaseResources();
    }

    private TpacketHdrV1* BlockHeader(int block) => &((TpacketBlockDesc*)(_rxRing + (nint)block * _rxBlockSize))->Hdr;

    private bool TryOpenBlock()
    {
        if (_rxDoneBlocks == _rxBlockCount)
        {
            return false; // every block is held by the batch; ReleaseReceived first
        }
        TpacketHdrV1* block = BlockHeader(_rxBlock);
        if ((Volatile.Read(ref block->BlockStatus) & TpStatusUser) == 0)
        {
            return false;
        }
        _rxInBlock = true;
        _rxLeft = block->NumPkts;
        _rxNext = (byte*)(_rxRing + (nint)_rxBlock * _rxBlockSize) + block->OffsetToFirstPkt;
        if (_rxLeft == 0)
        {
            CloseBlock();
            return TryOpenBlock();
        }
        return true;
    }

    private void CloseBlock()
    {
        _rxInBlock = false;
        _rxDoneBlocks++;
        _rxBlock = _rxBlock + 1 == _rxBlockCount ? 0 : _rxBlock + 1;
    }

    /// <summary>Nothing was received: at most once per interval, ask the socket whether its device went down or away.</summary>
    private int CheckFailed()
    {
        if (!_errorChecks.Due())
        {
            return 0;
        }
        var pollFd = new pollfd { fd = _fd };
        if (LibC.poll(&pollFd, 1, 0) <= 0 || (pollFd.revents & ((ushort)LibC.POLLERR | (ushort)LibC.POLLNVAL)) == 0)
        {
            return 0;
        }
        int errno = (pollFd.revents & LibC.POLLNVAL) != 0 ? LibC.EBADF : LibcExtras.TakeSocketError(_fd);
        if (errno == LibC.ENXIO || errno == LibC.ENODEV || errno == LibC.EBADF)
        {
            _failedErrno = errno;
            return -errno;
        }
        // The interface went down (or away): reported, not kept; once it is up again the kernel re-hooks the socket.
        return errno == LibC.ENETDOWN ? -errno : 0;
    }
}
