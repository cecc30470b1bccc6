// An in-memory port for unit tests and microbenchmarks: frames injected by the test are received
// from a native slab, transmitted frames are copied into a bounded native capture ring. Receive
// and Transmit allocate nothing; a full capture ring means no TX room, as a full kernel ring would.
// In replay mode (benchmarks, allocation tests) received frames are received again and again, and
// transmitted frames are copied to one scratch slot and counted, so a handful of injected frames
// drive any number of bursts.
using System.Diagnostics;
using System.Runtime.InteropServices;
using FastBridge.Datapath.Frames;

namespace FastBridge.Datapath.Ports;

public sealed unsafe class MemoryPort : IPort
{
    private const int DefaultSlotSize = 16384;

    private readonly int _slotSize;
    private readonly Ring _rx;
    private readonly Ring _tx;
    private readonly bool _replay;
    private int _received;
    private long _unmarked;

    /// <param name="packetSizeRule">Refuse untagged frames past MTU + 14 as AF_PACKET does (MaxUntaggedFrameLength), so tests see that rule too.</param>
    public MemoryPort(string name, int mtu = 1500, int rxSlots = 256, int txSlots = 256, int slotSize = DefaultSlotSize, bool replay = false, bool packetSizeRule = false)
    {
        MaxFrameLength = mtu + EthernetFrame.HeaderLength + VlanTag.Length;
        if (slotSize < MaxFrameLength)
        {
            throw new ArgumentOutOfRangeException(nameof(slotSize), $"{name}: {slotSize}-byte slots cannot hold the {MaxFrameLength}-byte frames of MTU {mtu}");
        }
        Name = name;
        _replay = replay;
        MaxUntaggedFrameLength = packetSizeRule ? mtu + EthernetFrame.HeaderLength : MaxFrameLength;
        _slotSize = slotSize;
        _rx = new Ring(rxSlots, slotSize);
        _tx = new Ring(txSlots, slotSize);
    }

    public string Name { get; }

    public int MaxFrameLength { get; }

    public int MaxUntaggedFrameLength { get; }

    public int PollFd => -1;

    /// <summary>Frames waiting to be received.</summary>
    public int Pending => _rx.Count;

    /// <summary>Frames transmitted and not yet taken.</summary>
    public int Transmitted => _tx.Count;

    /// <summary>While set, TransmitQueued says frames wait, as a kick that found the kernel busy leaves them.</summary>
    public bool HoldTransmits { get; set; }

    /// <summary>Frames received that the poll loop has reported forwarded (MarkForwarded), as a fast-path drain counts them.</summary>
    public long MarkedForwarded { get; private set; }

    /// <summary>In replay mode: frames transmitted since creation.</summary>
    public long TransmittedTotal { get; private set; }

    /// <summary>Queues a frame to be received, as if it arrived on the wire (with a tag the kernel stripped, if given).</summary>
    public void Inject(ReadOnlySpan<byte> frame, ushort strippedTpid = 0, ushort strippedTci = 0)
    {
        if (frame.Length > _slotSize || !_rx.TryPush(frame, strippedTpid, strippedTci))
        {
            throw new InvalidOperationException($"{Name}: receive ring full or frame longer than {_slotSize} bytes");
        }
    }

    /// <summary>Transmit slots: more frames than this waiting to be taken means no TX room.</summary>
    public int TxSlots => _tx.Capacity;

    /// <summary>Takes the oldest transmitted frame, the way it would appear on the wire; false if none.</summary>
    public bool TryTakeTransmitted(out byte[] frame)
    {
        if (_tx.Count == 0)
        {
            frame = [];
            return false;
        }
        frame = new byte[_tx.Peek(0).Length];
        TakeTransmitted(frame);
        return true;
    }

    /// <summary>
    /// Copies the oldest transmitted frame into <paramref name="destination"/> (at least its length) and
    /// takes it; returns its length, or -1 if none. Allocates nothing, for tests that count bytes.
    /// </summary>
    public int TakeTransmitted(Span<byte> destination) => _tx.TryPop(destination);

    public int Receive(FrameBatch batch)
    {
        int added = 0;
        int available = _replay ? Math.Min(_rx.Count, batch.Capacity) : _rx.Count;
        while (!batch.IsFull && _received < available)
        {
            ref Ring.Slot slot = ref _rx.Peek(_received++);
            batch.Add(slot.Data, slot.Length, slot.Tpid, slot.Tci);
            added++;
        }
        _unmarked += added;
        return added;
    }

    public void ReleaseReceived()
    {
        if (!_replay)
        {
            _rx.Drop(_received);
        }
        _received = 0;
    }

    public int Transmit(FrameBatch batch, ReadOnlySpan<int> indices)
    {
        int queued = 0;
        foreach (int index in indices)
        {
            ref FrameRef frame = ref batch[index];
            Debug.Assert(frame.Length >= EthernetFrame.HeaderLength && frame.Fits(MaxFrameLength, MaxUntaggedFrameLength), "the forwarder holds back frames that do not fit");
            if (!_tx.TryPushWire(frame))
            {
                break;
            }
            if (_replay)
            {
                _tx.Drop(1);
            }
            queued++;
        }
        TransmittedTotal += queued;
        return queued;
    }

    public void Flush()
    {
    }

    public bool TransmitQueued => HoldTransmits;

    public void MarkForwarded()
    {
        MarkedForwarded += _unmarked;
        _unmarked = 0;
    }

    public void AddBackendDrops(Span<ulong> byReason)
    {
    }

    public void Dispose()
    {
        _rx.Dispose();
        _tx.Dispose();
    }

    /// <summary>A fixed ring of fixed-size native slots.</summary>
    private sealed class Ring : IDisposable
    {
        private readonly Slot[] _slots;
        private readonly byte* _memory;
        private int _head;

        public Ring(int slots, int slotSize)
        {
            _slots = new Slot[slots];
            _memory = (byte*)NativeMemory.AlignedAlloc((nuint)(slots * slotSize), 64);
            for (int i = 0; i < slots; i++)
            {
                _slots[i].Data = _memory + (long)i * slotSize;
            }
        }

        public int Count { get; private set; }

        public ref Slot Peek(int offset) => ref _slots[(_head + offset) % _slots.Length];

        public bool TryPush(ReadOnlySpan<byte> frame, ushort tpid, ushort tci)
        {
            if (Count == _slots.Length)
            {
                return false;
            }
            ref Slot slot = ref Peek(Count++);
            frame.CopyTo(new Span<byte>(slot.Data, frame.Length));
            slot.Length = frame.Length;
            slot.Tpid = tpid;
            slot.Tci = tci;
            return true;
        }

        /// <summary>Copies a frame as it leaves on the wire: a stripped tag goes back after the MAC addresses.</summary>
        public bool TryPushWire(in FrameRef frame)
        {
            if (Count == _slots.Length)
            {
                return false;
            }
            ref Slot slot = ref Peek(Count++);
            slot.Length = frame.CopyToWire(new Span<byte>(slot.Data, frame.WireLength));
            slot.Tpid = 0;
            slot.Tci = 0;
            return true;
        }

        public int Capacity => _slots.Length;

        public int TryPop(Span<byte> destination)
        {
            if (Count == 0)
            {
                return -1;
            }
            ref Slot slot = ref Peek(0);
            int length = slot.Length;
            new ReadOnlySpan<byte>(slot.Data, length).CopyTo(destination);
            Drop(1);
            return length;
        }

        public void Drop(int count)
        {
            _head = (_head + count) % _slots.Length;
            Count -= count;
        }

        public void Dispose() => NativeMemory.AlignedFree(_memory);

        public struct Slot
        {
            public byte* Data;
            public int Length;
            public ushort Tpid;
            public ushort Tci;
        }
    }
}
