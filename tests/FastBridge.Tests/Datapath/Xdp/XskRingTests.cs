// The ring index arithmetic on a ring laid out in plain memory (producer, consumer, flags, entries),
// with the test playing the kernel's side: free-running u32 indexes wrap, and each side sees the
// other's progress only through the shared words.
using System.Runtime.InteropServices;
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Xdp;

namespace FastBridge.Tests.Datapath.Xdp;

public sealed unsafe class XskRingTests : IDisposable
{
    private const uint Size = 8;
    private static readonly IfXdp.RingOffset s_offsets = new() { Producer = 0, Consumer = 64, Flags = 128, Desc = 192 };
    private readonly byte* _memory = (byte*)NativeMemory.AllocZeroed(192 + Size * 16);

    private ref uint Producer => ref *(uint*)_memory;

    private ref uint Consumer => ref *(uint*)(_memory + 64);

    [Fact]
    public void ProducerSide_FillsToSizeThenWaitsForConsumer()
    {
        XskRing ring = XskRing.Create(_memory, 0, s_offsets, Size, producerSide: true);

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
        XskRing ring = XskRing.Create(_memory, 0, s_offsets, Size, producerSide: false);
        Assert.Equal(0U, ring.Available(10));

        for (uint i = 0; i < 5; i++)
        {
            ((ulong*)(_memory + 192))[(uint.MaxValue - 2 + i) & (Size - 1)] = 100 + i;
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
        XskRing ring = XskRing.Create(_memory, 0, s_offsets, Size, producerSide: true);
        Assert.False(ring.NeedsWakeup);
        *(uint*)(_memory + 128) = IfXdp.XdpRingNeedWakeup;
        Assert.True(ring.NeedsWakeup);
    }

    public void Dispose() => NativeMemory.Free(_memory);
}
