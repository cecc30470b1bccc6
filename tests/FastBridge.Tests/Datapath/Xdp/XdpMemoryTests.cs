// The AF_XDP sizing rules (XdpMemory): which ring sizes and UMEM sizes are taken, and the default
// UMEM that gives every port named at start its worst case.
using FastBridge.Datapath.Xdp;

namespace FastBridge.Tests.Datapath.Xdp;

public sealed class XdpMemoryTests
{
    [Theory]
    [InlineData(64)]
    [InlineData(2048)]
    [InlineData(16384)]
    public void RingSizeProblem_PowerOfTwoInRange_None(int size) => Assert.Null(XdpMemory.RingSizeProblem(size));

    [Theory]
    [InlineData(0)]
    [InlineData(32)]
    [InlineData(1000)]
    [InlineData(32768)]
    public void RingSizeProblem_Other_Refused(int size) => Assert.Contains("power of two", XdpMemory.RingSizeProblem(size));

    [Fact]
    public void UmemFramesProblem_OutOfRange_Refused()
    {
        Assert.Null(XdpMemory.UmemFramesProblem(4096));
        Assert.Contains("between 512", XdpMemory.UmemFramesProblem(100));
    }

    [Theory]
    [InlineData(1, 2048, 16896)]  // at least 2 ports: 2 x 4 x 2048 + 128, rounded up to 512
    [InlineData(2, 2048, 16896)]
    [InlineData(4, 2048, 33280)]
    [InlineData(2, 512, 4608)]
    public void AutoUmemFrames_PortsAndRingSize_CoversEveryRingAndTheReserve(int ports, int ringSize, int expected)
    {
        int frames = XdpMemory.AutoUmemFrames(ports, ringSize);
        Assert.Equal(expected, frames);
        Assert.True(frames >= Math.Max(ports, 2) * XdpMemory.FramesPerPort(ringSize) + 128);
        Assert.Equal(0, frames % 512);
    }
}
