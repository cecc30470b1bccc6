using FastBridge.Datapath.Common;
using FastBridge.Datapath.Forwarding;

namespace FastBridge.Tests.Datapath.Forwarding;

public sealed class LoopCountersTests
{
    [Fact]
    public void PortCounters_HoldEveryCounter_InWholeCacheLinePairs()
    {
        // StructLayout's Size only pads: fields past it grow the struct silently, off the 128-byte pairs.
        int fields = (6 + DropReasons.Count) * sizeof(ulong);
        int size = System.Runtime.CompilerServices.Unsafe.SizeOf<PortCounters>();
        Assert.True(fields <= size, $"{fields} bytes of counters in a {size}-byte struct");
        Assert.Equal(0, size % 128);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(4, 2)]
    [InlineData(5, 3)]
    [InlineData(32, 5)]
    [InlineData(33, 6)]
    [InlineData(64, 6)]
    [InlineData(65, 7)]
    [InlineData(4096, 7)]
    public void BatchSizeBucket_Frames_SmallestBoundThatHoldsIt(int frames, int bucket)
    {
        Assert.Equal(bucket, LoopCounters.BatchSizeBucket(frames));
        if (bucket < LoopCounters.BatchSizeBounds.Length)
        {
            Assert.True(frames <= LoopCounters.BatchSizeBounds[bucket]);
        }
    }
}
