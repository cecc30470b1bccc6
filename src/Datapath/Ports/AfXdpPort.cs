// The AF_XDP port backend: one XDP socket per (poll loop, interface queue), bound to the poll loop's
// shared UMEM; the interface's XdpAttachment redirects the queue's frames to it. Receive hands out RX
// descriptors as pointers into the UMEM; Transmit moves a received frame's descriptor to this port's
// TX ring when the frame is still in its received burst (zero-copy), and otherwise copies it into a
// free UMEM frame (a flood's later copies, frames from another backend). Frames sent are reaped from
// the completion ring back to the free list. Only the owning poll thread calls
// Receive/ReleaseReceived/Transmit/Flush, which never throw, allocate or block; the stats reader calls
// AddBackendDrops. Set-up fails loudly, naming the interface, queue, step and errno. Frames longer than
// one UMEM frame (jumbo MTUs, on a multi-buffer UMEM) are in AfXdpPort.MultiBuffer.cs.
// Kernel rules: Documentation/networking/af_xdp.rst; shape after bpf-examples AF_XDP-forwarding/xsk_fwd.c.
using System.Diagnostics;
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Frames;
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Xdp;
using Tmds.Linux;

namespace FastBridge.Datapath.Ports;

/// <param name="RingSize">Entries in each of the four rings (a power of two); the UMEM needs up to 4 x RingSize frames per port (XdpMemory.FramesPerPort).</param>
/// <param name="ScratchFrames">
/// Frames received as several descriptors that one burst can hold, gathered whole (a port whose MTU does
/// not fit one UMEM frame only); more in one burst are dropped and counted rx_ring_full. A burst holds at
/// most Bursts.DefaultFrames frames, so the default never runs out.
/// </param>
public sealed record AfXdpOptions(int RingSize = XdpMemory.DefaultRingSize, int ScratchFrames = Bursts.DefaultFrames);

public sealed unsafe partial class AfXdpPort : IPort
{
    /// <summary>
    /// Fill-ring entries the kernel must have taken before a busy port tops its fill ring up. The kernel
    /// reads the fill ring on the CPU that receives, so every small top-up moved the ring's index and
    /// entry cache lines across CPUs: at 64 bytes, fill-ring allocation (xp_alloc) took 5.4% of the
    /// receiving CPU with a top-up per burst, 2.6% with this, OVS 2.1-2.5% (perf, e2e bench). A 2048-entry
    /// ring never runs short for it; a small ring waits for a quarter of itself.
    /// </summary>
    private const uint FillBatch = 64;

    private readonly uint _fillBatch;

    private readonly XskSocket _socket;
    private readonly Umem _umem;
    private readonly XdpAttachment _attachment;
    private readonly byte _owner;
    private readonly ulong[] _burst;   // UMEM frames of the received burst not yet released
    private readonly ScratchFrames _scratch;   // frames of the burst gathered from several descriptors
    private readonly int _maxChunksPerFrame;   // TX descriptors the longest frame takes: 1 unless the MTU is jumbo
    private int _burstCount;
    private readonly PortDrain? _drain;
    private ulong _unmarked;   // frames taken off the RX ring since the last MarkForwarded
    private uint _fillTaken;   // fill-ring slots known empty: taken by the kernel (one per frame received) or left unfilled
    private int _failedErrno;
    private ErrorCheckPacing _errorChecks;

    // Single writer (the poll thread); readers read them whole.
    private ulong _zeroCopyTransmits;
    private ulong _copiedTransmits;
    private ulong _rxTooBig;
    private ulong _rxNoScratch;
    private bool _disposed;

    /// <summary>
    /// Opens the socket of <paramref name="queue"/> on <paramref name="iface"/> (which <paramref name="attachment"/>
    /// serves), on the poll loop's <paramref name="umem"/>, fills its fill ring and registers it in the XSKMAP.
    /// </summary>
    public AfXdpPort(NetInterfaceInfo iface, XdpAttachment attachment, Umem umem, int queue = 0, AfXdpOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(iface);
        ArgumentNullException.ThrowIfNull(attachment);
        ArgumentNullException.ThrowIfNull(umem);
        options ??= new AfXdpOptions();
        if (attachment.InterfaceName != iface.Name || (uint)queue >= (uint)attachment.QueueCount)
        {
            throw new ArgumentException($"interface {iface.Name} queue {queue}: the XDP attachment serves {attachment.InterfaceName} queues 0-{attachment.QueueCount - 1}");
        }
        int longest = iface.Mtu + EthernetFrame.HeaderLength + VlanTag.Length;
        int chunks = CheckFrameFits(iface, umem, longest);
        _maxChunksPerFrame = DescriptorChain.ChunksFor(longest, umem.FrameSize);

        Name = iface.Name;
        Queue = queue;
        MaxFrameLength = longest;
        _umem = umem;
        _attachment = attachment;
        _drain = attachment.Drain(queue); // one socket per loop, on the loop's queue
        _owner = umem.RegisterOwner();
        _burst = new ulong[options.RingSize];
        // Only a port whose frames may take several RX descriptors gathers any; the others drop such chains.
        _scratch = new ScratchFrames(chunks > 1 ? options.ScratchFrames : 0, longest);
        try
        {
            _socket = XskSocket.Open(iface.Name, iface.IfIndex, queue, umem, (uint)options.RingSize);
            _fillTaken = _socket.Fill.Size;
            _fillBatch = Math.Min(FillBatch, _socket.Fill.Size / 4);
            TopUpFill();
            attachment.Register(queue, _socket.Fd);
        }
        catch
        {
            _socket?.Dispose();
            umem.Reclaim(_owner);
            _scratch.Dispose();
            throw;
        }
    }

    public string Name { get; }

    public int Queue { get; }

    public int MaxFrameLength { get; }

    public int PollFd => _socket.Fd;

    /// <summary>Whether the driver itself moves frames to and from the UMEM (false on veth: the kernel copies).</summary>
    public bool KernelZeroCopy => _socket.KernelZeroCopy;

    /// <summary>Frames sent by moving a received descriptor, without copying a byte.</summary>
    public ulong ZeroCopyTransmits => Volatile.Read(ref _zeroCopyTransmits);

    /// <summary>Frames sent by copying into a free UMEM frame.</summary>
    public ulong CopiedTransmits => Volatile.Read(ref _copiedTransmits);

    /// <summary>Frames waiting in the fill ring for the kernel to receive into.</summary>
    internal int FillCount => (int)_socket.Fill.Outstanding;

    /// <summary>The socket, for tests that play a misbehaving writer of its rings.</summary>
    internal XskSocket Socket => _socket;

    /// <summary>
    /// Hands out received frames: one descriptor's frame as a pointer into the UMEM, a frame of several
    /// descriptors (multi-buffer) gathered into a scratch slot. Takes whole frames only.
    /// </summary>
    public int Receive(FrameBatch batch)
    {
        ReapCompletions();
        KickTx();
        uint room = (uint)Math.Min(batch.Capacity - batch.Count, _burst.Length - _burstCount);
        // On a multi-buffer UMEM a frame may take several descriptors: look at every ready one, take up to room frames.
        uint ready = _socket.Rx.Available(_umem.MultiBuffer ? _socket.Rx.Size : room);
        if (ready == 0)
        {
            TopUpFill();
            return CheckHealth();
        }
        uint index = _socket.Rx.ConsumerIndex;
        uint taken = 0, added = 0;
        while (taken < ready && added < room)
        {
            ref IfXdp.XdpDesc desc = ref _socket.Rx.Descriptor(index + taken);
            if ((desc.Options & IfXdp.XdpPktContd) == 0)
            {
                _unmarked++;
                _umem.Move(desc.Addr, FrameState.Fill, FrameState.Received, _owner);
                _burst[_burstCount++] = desc.Addr;
                batch.Add(_umem.Base + desc.Addr, (int)desc.Len);
                taken++;
                added++;
                continue;
            }
            uint chain = DescriptorChain.Length(_socket.Rx, index + taken, ready - taken);
            if (chain == 0)
            {
                break; // never half a frame; see DescriptorChain for why the rest is always already there
            }
            _unmarked++; // kept or dropped, the chain was one frame the program handed over
            added += ReceiveChain(batch, index + taken, chain) ? 1u : 0u;
            taken += chain;
        }
        // The descriptors are copied out; the ring slots go back to the kernel now, the frames at ReleaseReceived.
        _fillTaken += taken;
        _socket.Rx.Consume(taken);
        return (int)added;
    }

    public void ReleaseReceived()
    {
        _scratch.ReturnAll();
        for (int i = 0; i < _burstCount; i++)
        {
            // Frames another port took for its TX ring are that port's now (and may even be back in a burst of another port).
            if (_umem.IsReceivedBy(_burst[i], _owner))
            {
                _umem.Release(_burst[i], FrameState.Received);
            }
        }
        _burstCount = 0;
        TopUpFill();
    }

    /// <summary>
    /// Queues frames on the TX ring in order: by descriptor when the frame is a UMEM frame still in its
    /// received burst, else by copy into a free frame (a chain of them for a frame longer than one).
    /// Returns how many indices were consumed; the rest found the TX ring full or no free frame. A frame
    /// sent by descriptor stays readable until the ingress port's ReleaseReceived because this port reaps
    /// completions only in Receive and at the start of Flush, before its kick (one Flush per burst).
    /// Every descriptor written is one the kernel accepts: the kernel consumes an invalid one without
    /// sending it, and kernels before mid-2026 never complete it either, so its UMEM frame would never
    /// come back (XskSocketTests shows what this kernel does). Each is 1 to FrameSize bytes
    /// from the start of its frame (a copy) or where the kernel received it (by descriptor), and a chain
    /// is at most DescriptorChain.MaxDescriptors long: IPort's contract brings no frame shorter than an
    /// Ethernet header or longer than MaxFrameLength, and CheckFrameFits bounds the chain of the longest.
    /// </summary>
    public int Transmit(FrameBatch batch, ReadOnlySpan<int> indices)
    {
        uint slots = _socket.Tx.FreeSlots((uint)(indices.Length * _maxChunksPerFrame));
        uint index = _socket.Tx.ProducerIndex;
        uint queued = 0;
        int done = 0;
        for (; done < indices.Length && queued < slots; done++)
        {
            ref FrameRef frame = ref batch[indices[done]];
            int wireLength = frame.WireLength;
            Debug.Assert(frame.Length >= EthernetFrame.HeaderLength && wireLength <= MaxFrameLength, "the forwarder holds back frames that do not fit");
            if (wireLength > _umem.FrameSize)
            {
                // Longer than one UMEM frame (a port with a jumbo MTU): a copy split over a chain of frames.
                if (!TryQueueChain(frame, wireLength, slots - queued, index, ref queued))
                {
                    break;
                }
                continue;
            }
            ulong addr = _umem.OffsetOf(frame.Data);
            if (addr != ulong.MaxValue && frame.StrippedTpid == 0 && _umem.StateOf(addr) == FrameState.Received)
            {
                _umem.Move(addr, FrameState.Received, FrameState.Tx, _owner);
                _zeroCopyTransmits++;
            }
            else if (_umem.TryTake(FrameState.Tx, _owner, out addr))
            {
                frame.CopyToWire(new Span<byte>(_umem.Base + addr, wireLength));
                _copiedTransmits++;
            }
            else
            {
                break;
            }
            ref IfXdp.XdpDesc desc = ref _socket.Tx.Descriptor(index + queued++);
            desc.Addr = addr;
            desc.Len = (uint)wireLength;
            desc.Options = 0;
        }
        if (queued > 0)
        {
            _socket.Tx.Produce(queued);
        }
        return done;
    }

    public void Flush()
    {
        ReapCompletions();
        KickTx();
        TopUpFill();
    }

    public bool TransmitQueued => _socket.Tx.Outstanding != 0;

    public void MarkForwarded()
    {
        _drain?.Forwarded(_unmarked);
        _unmarked = 0;
    }

    public void AddBackendDrops(Span<ulong> byReason)
    {
        if (!_disposed)
        {
            // XDP_STATISTICS counts from bind and never resets: add the current totals.
            IfXdp.Statistics stats;
            socklen_t length = sizeof(IfXdp.Statistics);
            if (LibC.getsockopt(_socket.Fd, IfXdp.SolXdp, IfXdp.XdpStatistics, &stats, &length) == 0)
            {
                // rx_dropped: no fill frame, or a frame longer than a UMEM frame; rx_ring_full: RX ring overrun.
                byReason[(int)DropReason.RxRingFull] += stats.RxRingFull + stats.RxDropped;
                // tx_invalid_descs: descriptors the kernel refused and consumed without sending (net/xdp/xsk.c).
                // FastBridge never writes one (see Transmit), so this stays 0 unless it has a bug.
                byReason[(int)DropReason.TxRefused] += stats.TxInvalidDescs;
            }
        }
        byReason[(int)DropReason.RxRingFull] += Volatile.Read(ref _rxNoScratch);
        byReason[(int)DropReason.TooBig] += Volatile.Read(ref _rxTooBig);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _attachment.Unregister(Queue);
        _socket.Dispose();
        // The socket is closed, so the kernel holds none of this port's frames any more: take them all back.
        _umem.Reclaim(_owner);
        _burstCount = 0;
        _scratch.Dispose();
    }

    /// <summary>Moves sent frames from the completion ring back to the free list.</summary>
    private void ReapCompletions()
    {
        uint done = _socket.Completion.Available(_socket.Completion.Size);
        if (done == 0)
        {
            return;
        }
        uint index = _socket.Completion.ConsumerIndex;
        for (uint i = 0; i < done; i++)
        {
            _umem.Release(_socket.Completion.Address(index + i), FrameState.Tx);
        }
        _socket.Completion.Consume(done);
    }

    /// <summary>
    /// Asks the kernel to send the TX ring when it holds frames and the kernel wants a kick. In copy mode
    /// (veth, generic XDP) one sendto sends at most 32 frames, so Receive kicks again on the next round.
    /// </summary>
    private void KickTx()
    {
        if (_socket.Tx.Outstanding != 0 && (!_socket.NeedWakeup || _socket.Tx.NeedsWakeup))
        {
            // EAGAIN/EBUSY/ENOBUFS leave the descriptors queued; the next kick sends them. ENETDOWN surfaces in Receive.
            LibC.sendto(_socket.Fd, null, 0, LibC.MSG_DONTWAIT, null, 0);
        }
    }

    /// <summary>
    /// Gives the kernel free frames to receive into, leaving the UMEM's copy reserve, once at least
    /// <see cref="FillBatch"/> fill-ring slots are known to be empty (the ring is never more than that short of full).
    /// </summary>
    private void TopUpFill()
    {
        if (_fillTaken < _fillBatch)
        {
            return;
        }
        uint slots = _socket.Fill.FreeSlots(_socket.Fill.Size);
        uint given = Math.Min(slots, (uint)_umem.FillableCount);
        _fillTaken = slots - given; // left empty while the free list is short: retried next time
        if (given == 0)
        {
            return;
        }
        uint index = _socket.Fill.ProducerIndex;
        for (uint i = 0; i < given; i++)
        {
            _umem.TryTake(FrameState.Fill, _owner, out ulong frame);
            _socket.Fill.Address(index + i) = frame;
        }
        _socket.Fill.Produce(given);
        if (_socket.NeedWakeup && _socket.Fill.NeedsWakeup)
        {
            // The driver sleeps until woken; a zero-length recvfrom wakes its RX side (as poll would).
            LibC.recvfrom(_socket.Fd, null, 0, LibC.MSG_DONTWAIT, null, null);
        }
    }

    /// <summary>0, or the negative errno the socket reports once the interface is gone or down for good.</summary>
    private int CheckHealth()
    {
        if (_failedErrno != 0)
        {
            return -_failedErrno;
        }
        if (!_errorChecks.Due())
        {
            return 0;
        }
        int error = LibcExtras.TakeSocketError(_socket.Fd);
        if (error != 0)
        {
            _failedErrno = error;
            return -error;
        }
        return 0;
    }
}
