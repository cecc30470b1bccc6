// A bounded single-producer/single-consumer queue of whole frames, each copied into a slot of the
// ring's own memory with the port it came from or goes to. It carries frames between a poll loop and
// the control plane both ways (ControlFrameQueues): the loop punts into one ring, the control plane
// injects into another. Slots and their memory are allocated once, pinned, when the ring is built;
// writing and reading take no lock, allocate nothing and never throw on the poll thread, and a full
// ring refuses the frame (the caller counts it). The producer publishes a slot by moving Tail after
// copying into it, the consumer frees it by moving Head after reading it (release/acquire through
// Volatile), as the kernel's AF_XDP rings do. Head and Tail share a cache line: both move only when
// control frames pass, a few per second, so padding them apart would buy nothing.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastBridge.Datapath.Ports;

namespace FastBridge.Datapath.Forwarding;

public sealed unsafe class FrameRing
{
    /// <summary>
    /// Frames the ring holds: RSTP sends one BPDU per port every 2 s (hello time), LLDP one per 30 s, so
    /// 256 hold seconds of both on a 64-port switch for a consumer that reads every tick (1 s).
    /// </summary>
    public const int DefaultCapacity = 256;

    /// <summary>Bytes a slot holds: a 1500-MTU frame with its header and a VLAN tag (1522), rounded up; control frames are shorter.</summary>
    public const int DefaultSlotLength = 2048;

    private readonly byte[] _memory;
    private readonly byte* _base;
    private readonly int[] _lengths;
    private readonly int[] _ports;
    private readonly int _mask;
    private long _head;   // next slot to read; written by the consumer only
    private long _tail;   // next slot to write; written by the producer only

    /// <param name="capacity">Slots, a power of two.</param>
    public FrameRing(int capacity = DefaultCapacity, int slotLength = DefaultSlotLength)
    {
        if (capacity <= 0 || (capacity & (capacity - 1)) != 0 || slotLength <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), $"capacity {capacity} (a power of two) and slot length {slotLength} must be positive");
        }
        _memory = GC.AllocateUninitializedArray<byte>(capacity * slotLength, pinned: true);
        _base = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_memory));
        _lengths = new int[capacity];
        _ports = new int[capacity];
        _mask = capacity - 1;
        SlotLength = slotLength;
    }

    public int Capacity => _mask + 1;

    /// <summary>The longest frame a slot holds; a longer one is refused as a full ring would refuse it.</summary>
    public int SlotLength { get; }

    /// <summary>Frames written and not yet read (exact on either end's thread, a snapshot elsewhere).</summary>
    public int Count => (int)(Volatile.Read(ref _tail) - Volatile.Read(ref _head));

    /// <summary>Producer: copies a received frame as it was on the wire (a stripped tag put back); false if no slot holds it.</summary>
    public bool TryWrite(int port, in FrameRef frame)
    {
        byte* slot = TryClaim(frame.WireLength);
        if (slot == null)
        {
            return false;
        }
        frame.CopyToWire(new Span<byte>(slot, frame.WireLength));
        Publish(port, frame.WireLength);
        return true;
    }

    /// <summary>Producer: copies <paramref name="frame"/>; false if no slot holds it.</summary>
    public bool TryWrite(int port, ReadOnlySpan<byte> frame)
    {
        fixed (byte* data = frame)
        {
            return TryWrite(port, new FrameRef { Data = data, Length = frame.Length });
        }
    }

    /// <summary>
    /// Consumer: copies the oldest frame into <paramref name="destination"/> and frees its slot; returns its
    /// length and port, or -1 if the ring is empty. <paramref name="destination"/> must hold SlotLength bytes.
    /// </summary>
    public int TryRead(Span<byte> destination, out int port)
    {
        long head = _head;
        if (head == Volatile.Read(ref _tail))
        {
            port = -1;
            return -1;
        }
        int index = (int)head & _mask;
        int length = _lengths[index];
        port = _ports[index];
        new ReadOnlySpan<byte>(_base + (long)index * SlotLength, length).CopyTo(destination);
        Volatile.Write(ref _head, head + 1);
        return length;
    }

    /// <summary>
    /// Consumer, without copying: adds the oldest frames to <paramref name="batch"/> (pointing into their slots)
    /// and their ports to <paramref name="ports"/>, as many as both hold; returns how many. The slots stay the
    /// consumer's until <see cref="Release"/>.
    /// </summary>
    public int Peek(FrameBatch batch, Span<int> ports)
    {
        long head = _head;
        int ready = (int)(Volatile.Read(ref _tail) - head);
        int count = Math.Min(ready, Math.Min(batch.Capacity - batch.Count, ports.Length));
        for (int i = 0; i < count; i++)
        {
            int index = (int)(head + i) & _mask;
            batch.Add(_base + (long)index * SlotLength, _lengths[index]);
            ports[i] = _ports[index];
        }
        return count;
    }

    /// <summary>Consumer: frees the <paramref name="count"/> oldest slots, which Peek handed out.</summary>
    public void Release(int count) => Volatile.Write(ref _head, _head + count);

    private byte* TryClaim(int length)
    {
        long tail = _tail;
        if (length > SlotLength || tail - Volatile.Read(ref _head) == Capacity)
        {
            return null;
        }
        return _base + (long)((int)tail & _mask) * SlotLength;
    }

    private void Publish(int port, int length)
    {
        long tail = _tail;
        int index = (int)tail & _mask;
        _lengths[index] = length;
        _ports[index] = port;
        Volatile.Write(ref _tail, tail + 1);
    }
}
