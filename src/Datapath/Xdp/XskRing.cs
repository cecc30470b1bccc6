// One of an AF_XDP socket's four single-producer/single-consumer rings (fill, completion, RX, TX), mapped
// from the kernel. As in libxdp's xsk.h: each side keeps cached copies of both indexes and reads the
// other side's index (acquire, Volatile.Read) only when its cache says the ring looks full or empty;
// it publishes its own index with release (Volatile.Write) after writing or reading the entries.
// Indexes are free-running u32s; an entry lives at index & mask. Only the owning poll thread uses it.
using FastBridge.Datapath.Interop;

namespace FastBridge.Datapath.Xdp;

internal unsafe struct XskRing
{
    private uint* _producer;
    private uint* _consumer;
    private uint* _flags;
    private byte* _entries;
    private uint _mask;
    private uint _size;
    private uint _cachedProducer;
    private uint _cachedConsumer;

    /// <summary>The mapping, for munmap.</summary>
    public void* Map { get; private set; }

    public nuint MapLength { get; private set; }

    /// <summary>Wraps a mapped ring; <paramref name="producerSide"/> for the rings user space fills (fill, TX).</summary>
    public static XskRing Create(void* map, nuint mapLength, in IfXdp.RingOffset offsets, uint size, bool producerSide)
    {
        var bytes = (byte*)map;
        var ring = new XskRing
        {
            Map = map,
            MapLength = mapLength,
            _producer = (uint*)(bytes + offsets.Producer),
            _consumer = (uint*)(bytes + offsets.Consumer),
            _flags = (uint*)(bytes + offsets.Flags),
            _entries = bytes + offsets.Desc,
            _mask = size - 1,
            _size = size,
        };
        ring._cachedProducer = Volatile.Read(ref *ring._producer);
        // A producer sees the consumer one lap ahead: free slots = cachedConsumer - cachedProducer.
        ring._cachedConsumer = Volatile.Read(ref *ring._consumer) + (producerSide ? size : 0);
        return ring;
    }

    public readonly uint Size => _size;

    /// <summary>Whether the kernel asked to be kicked (XDP_USE_NEED_WAKEUP mode).</summary>
    public readonly bool NeedsWakeup => (Volatile.Read(ref *_flags) & IfXdp.XdpRingNeedWakeup) != 0;

    // ---- producer side (fill, TX) ----

    /// <summary>Free slots, up to <paramref name="wanted"/>; entries go at ProducerIndex + i.</summary>
    public uint FreeSlots(uint wanted)
    {
        uint free = _cachedConsumer - _cachedProducer;
        if (free < wanted)
        {
            _cachedConsumer = Volatile.Read(ref *_consumer) + _size;
            free = _cachedConsumer - _cachedProducer;
        }
        return Math.Min(free, wanted);
    }

    public readonly uint ProducerIndex => _cachedProducer;

    /// <summary>Publishes <paramref name="count"/> written entries to the kernel.</summary>
    public void Produce(uint count)
    {
        _cachedProducer += count;
        Volatile.Write(ref *_producer, _cachedProducer);
    }

    /// <summary>Entries produced that the kernel has not consumed yet.</summary>
    public readonly uint Outstanding => _cachedProducer - Volatile.Read(ref *_consumer);

    // ---- consumer side (completion, RX) ----

    /// <summary>Entries ready, up to <paramref name="wanted"/>; they sit at ConsumerIndex + i.</summary>
    public uint Available(uint wanted)
    {
        uint ready = _cachedProducer - _cachedConsumer;
        if (ready == 0)
        {
            _cachedProducer = Volatile.Read(ref *_producer);
            ready = _cachedProducer - _cachedConsumer;
        }
        return Math.Min(ready, wanted);
    }

    public readonly uint ConsumerIndex => _cachedConsumer;

    /// <summary>Gives <paramref name="count"/> read entries back to the kernel.</summary>
    public void Consume(uint count)
    {
        _cachedConsumer += count;
        Volatile.Write(ref *_consumer, _cachedConsumer);
    }

    // ---- entries ----

    /// <summary>A fill or completion entry: a UMEM address.</summary>
    public readonly ref ulong Address(uint index) => ref ((ulong*)_entries)[index & _mask];

    /// <summary>An RX or TX entry.</summary>
    public readonly ref IfXdp.XdpDesc Descriptor(uint index) => ref ((IfXdp.XdpDesc*)_entries)[index & _mask];
}
