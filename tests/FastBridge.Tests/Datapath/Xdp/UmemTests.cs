// The UMEM's frame accounting without a socket: taking, moving and releasing frames keeps the counts by
// state whole, pointers map to frame offsets, and a DEBUG build refuses a frame moved from the wrong place.
using FastBridge.Datapath.Xdp;

namespace FastBridge.Tests.Datapath.Xdp;

public sealed unsafe class UmemTests
{
    [Fact]
    public void TakeMoveRelease_Cycle_CountsReturnToStart()
    {
        using var umem = new Umem(new UmemOptions(FrameCount: 512, FrameSize: 2048, TryHugePages: false));
        byte owner = umem.RegisterOwner();

        Assert.True(umem.TryTake(FrameState.Fill, owner, out ulong frame));
        Assert.Equal(0UL, frame % 2048);
        umem.Move(frame + 256, FrameState.Fill, FrameState.Received, owner);
        umem.Move(frame + 256, FrameState.Received, FrameState.Tx, owner);
        Assert.Equal((511, 1), (umem.FreeCount, umem.CountIn(FrameState.Tx)));
        umem.Release(frame + 256, FrameState.Tx);

        Assert.Equal(512, umem.FreeCount);
        Assert.Equal(0, umem.CountIn(FrameState.Tx) + umem.CountIn(FrameState.Fill) + umem.CountIn(FrameState.Received));
    }

    [Fact]
    public void TryTake_Empty_ReturnsFalse()
    {
        using var umem = new Umem(new UmemOptions(FrameCount: 256, TryHugePages: false));
        byte owner = umem.RegisterOwner();
        for (int i = 0; i < 256; i++)
        {
            Assert.True(umem.TryTake(FrameState.Tx, owner, out _));
        }
        Assert.False(umem.TryTake(FrameState.Tx, owner, out _));
        Assert.Equal(0, umem.FillableCount);
    }

    [Fact]
    public void Reclaim_Owner_TakesBackOnlyItsFrames()
    {
        using var umem = new Umem(new UmemOptions(FrameCount: 256, TryHugePages: false));
        byte a = umem.RegisterOwner(), b = umem.RegisterOwner();
        for (int i = 0; i < 10; i++)
        {
            umem.TryTake(FrameState.Fill, a, out _);
            umem.TryTake(FrameState.Tx, b, out _);
        }

        Assert.Equal(10, umem.Reclaim(a));
        Assert.Equal(246, umem.FreeCount);
        Assert.Equal(10, umem.CountIn(FrameState.Tx));
    }

    [Fact]
    public void OffsetOf_PointerInsideAndOutside_OffsetOrMaxValue()
    {
        using var umem = new Umem(new UmemOptions(FrameCount: 256, TryHugePages: false));
        byte outside = 0;

        Assert.Equal(4096UL * 3 + 256, umem.OffsetOf(umem.Base + 4096 * 3 + 256));
        Assert.Equal(ulong.MaxValue, umem.OffsetOf(&outside));
        Assert.Equal(ulong.MaxValue, umem.OffsetOf(umem.Base + umem.Length));
    }

#if DEBUG
    [Fact]
    public void Move_FromWrongState_ThrowsInDebug()
    {
        using var umem = new Umem(new UmemOptions(FrameCount: 256, TryHugePages: false));
        byte owner = umem.RegisterOwner();
        umem.TryTake(FrameState.Fill, owner, out ulong frame);

        var error = Assert.Throws<InvalidOperationException>(() => umem.Move(frame, FrameState.Received, FrameState.Tx, owner));
        Assert.Contains("is Fill", error.Message);
        Assert.Throws<InvalidOperationException>(() => umem.Release(frame, FrameState.Tx));
    }
#endif

    [Theory]
    [InlineData(1000)]
    [InlineData(3000)]
    public void Constructor_FrameSizeNotSupported_Throws(int frameSize)
    {
        Assert.Throws<ArgumentException>(() => new Umem(new UmemOptions(FrameSize: frameSize)));
    }
}
