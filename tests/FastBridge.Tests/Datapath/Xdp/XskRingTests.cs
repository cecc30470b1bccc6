// The ring index arithmetic on a ring laid out in plain memory (producer, consumer, flags, entries),
// with the test playing the kernel's side: free-running u32 indexes wrap, and each side sees the
// other's progress only through the shared words.
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Xdp;

namespace FastBridge.Tests.Datapath.Xdp;

public sealed unsafe class XskRingTests : IDisposable
{
    private const uint Size = 8;
    private readonly PlainRing _ring = new(Size);

    private ref uint Producer => ref _ring.Producer;

    private ref uint Consumer => ref _ring.Consumer;

    [Fact]
    public void ProducerSide_FillsToSizeThenWaitsForConsumer()
    {
        XskRing ring = _ring.Open(producerSide: true);

        Assert.Equal(Size, ring.FreeSlots(100));
        ring.Produce(Size);
        Assert.Equal((Size, Size), (Producer, ring.Outstanding));
        Assert.Equal(0U, ring.FreeSlots(1));

        Consumer = 3; // the kernel took three
        Assert.Equal(3U, ring.FreeSlots(100));
        Assert.Equal(5U, ring.Outstanding);
    }

    [Fact]
    public void ConsumerSide_SeesEntriesAcrossIndexWrap()
    {
        Producer = Consumer = uint.MaxValue - 2;
        XskRing ring = _ring.Open(producerSide: false);
        Assert.Equal(0U, ring.Available(10));

        for (uint i = 0; i < 5; i++)
        {
            ((ulong*)_ring.Entries)[(uint.MaxValue - 2 + i) & (Size - 1)] = 100 + i;
        }
        Producer += 5; // wraps past 2^32
        Assert.Equal(5U, ring.Available(10));
        uint index = ring.ConsumerIndex;
        Assert.Equal([100UL, 101, 102, 103, 104], Enumerable.Range(0, 5).Select(i => ring.Address(index + (uint)i)).ToArray());
        ring.Consume(5);
        Assert.Equal(2U, Consumer);
    }

    [Fact]
    public void NeedsWakeup_FlagBit_Read()
    {
        XskRing ring = _ring.Open(producerSide: true);
        Assert.False(ring.NeedsWakeup);
        _ring.Flags = IfXdp.XdpRingNeedWakeup;
        Assert.True(ring.NeedsWakeup);
    }

    public void Dispose() => _ring.Dispose();
}
