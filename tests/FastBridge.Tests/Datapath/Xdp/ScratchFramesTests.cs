// The scratch pool for gathered frames: bounded, slots in order on cache lines, all back at once.
using FastBridge.Datapath.Xdp;

namespace FastBridge.Tests.Datapath.Xdp;

public sealed unsafe class ScratchFramesTests
{
    [Fact]
    public void TryTake_AllSlotsTaken_NullUntilReturnAll()
    {
        using var scratch = new ScratchFrames(3, 9018);
        Assert.Equal(9024, scratch.SlotLength);

        byte* first = scratch.TryTake();
        byte* second = scratch.TryTake();
        byte* third = scratch.TryTake();
        Assert.True(first != null && third != null);
        Assert.Equal(9024, (int)(second - first));
        Assert.Equal(0, (long)first % 64);
        Assert.True(scratch.TryTake() == null);
        Assert.Equal(3, scratch.InUse);

        scratch.ReturnAll();
        Assert.True(scratch.TryTake() == first);
    }

    [Fact]
    public void TryTake_NoSlots_NullAndNoLength()
    {
        using var scratch = new ScratchFrames(0, 9018);

        Assert.Equal(0, scratch.SlotLength);
        Assert.True(scratch.TryTake() == null);
    }
}
