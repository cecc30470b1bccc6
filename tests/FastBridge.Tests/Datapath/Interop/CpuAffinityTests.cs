using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Hosting;

namespace FastBridge.Tests.Datapath.Interop;

public sealed class CpuAffinityTests
{
    [Fact]
    public void TryPinCurrentThread_ValidAndInvalidCpu_ReportsResult()
    {
        bool pinned = false, refused = true;
        var thread = new Thread(() =>
        {
            pinned = CpuAffinity.TryPinCurrentThread(0);
            refused = CpuAffinity.TryPinCurrentThread(4096);
        });
        thread.Start();
        thread.Join();
        Assert.True(pinned);
        Assert.False(refused);
    }

    [Fact]
    public void Allowed_ThreadPinnedToOneCpu_ReturnsJustThatCpu()
    {
        int[] before = CpuAffinity.Allowed();
        int[] pinned = [];
        int last = before[^1];
        var thread = new Thread(() =>
        {
            Assert.True(CpuAffinity.TryPinCurrentThread(last));
            pinned = CpuAffinity.Allowed();
        });
        thread.Start();
        thread.Join();
        Assert.Equal(Environment.ProcessorCount, before.Length);
        Assert.Equal([last], pinned);
    }

    [Theory]
    [InlineData("1", new[] { 1 })]
    [InlineData("2,3", new[] { 2, 3 })]
    [InlineData("0-3,8", new[] { 0, 1, 2, 3, 8 })]
    [InlineData("3,1-2,3", new[] { 1, 2, 3 })]
    public void CpuListParse_ValidList_GivesSortedCpus(string text, int[] expected)
    {
        Assert.True(CpuAffinity.TryParseList(text, out int[] cpus, out _));
        Assert.Equal(expected, cpus);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("3-1")]
    [InlineData("1,,2")]
    [InlineData("-1")]
    [InlineData("1024")]
    public void CpuListParse_Malformed_RefusedNamingTheText(string text)
    {
        Assert.False(CpuAffinity.TryParseList(text, out _, out string? error));
        Assert.Contains($"'{text}'", error);
    }

    [Fact]
    public void LoopCpus_GivenOrNot_UsesTheGivenElseTheAllowed()
    {
        Assert.Equal([5, 7], FastBridge.Datapath.Hosting.DatapathHost.LoopCpus(new FastBridge.Datapath.Hosting.DatapathOptions(Cpus: [5, 7])));
        Assert.Equal(CpuAffinity.Allowed(), FastBridge.Datapath.Hosting.DatapathHost.LoopCpus(new FastBridge.Datapath.Hosting.DatapathOptions()));
    }
}
