using FastBridge.Datapath.Forwarding;

namespace FastBridge.Tests.Datapath.Forwarding;

public sealed class LoopCountersTests
{
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
