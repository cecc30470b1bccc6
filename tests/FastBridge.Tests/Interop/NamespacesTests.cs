using FastBridge.Datapath.Interop;
using FastBridge.Tests.Ports;

namespace FastBridge.Tests.Interop;

public sealed class NamespacesTests
{
    [Fact]
    public void RunIn_Namespace_SeesItsLinksNotTheHosts()
    {
        using VethLab lab = VethLab.Create();
        uint inside = 0, hostInside = 0;
        Namespaces.RunIn(lab.Netns, () =>
        {
            inside = Libc.if_nametoindex(lab.Peer);
            hostInside = Libc.if_nametoindex(lab.Host);
        });
        Assert.NotEqual(0u, inside);
        Assert.Equal(0u, hostInside);
        Assert.Equal(0u, Libc.if_nametoindex(lab.Peer));
        Assert.NotEqual(0u, Libc.if_nametoindex(lab.Host));
    }

    [Fact]
    public void RunIn_ActionThrows_RethrowsOnCaller()
    {
        using VethLab lab = VethLab.Empty();
        lab.AddNamespace(lab.Netns);
        var ex = Assert.Throws<InvalidTimeZoneException>(() => Namespaces.RunIn(lab.Netns, () => throw new InvalidTimeZoneException("inside")));
        Assert.Equal("inside", ex.Message);
    }

    [Fact]
    public void RunIn_MissingNamespace_Throws()
    {
        Assert.ThrowsAny<IOException>(() => Namespaces.RunIn("fbapnonexist00", () => { }));
    }

    [Fact]
    public void TryPinCurrentThread_ValidAndInvalidCpu_ReportsResult()
    {
        bool pinned = false, refused = true;
        var thread = new Thread(() =>
        {
            pinned = Libc.TryPinCurrentThread(0);
            refused = Libc.TryPinCurrentThread(4096);
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
            Assert.True(Libc.TryPinCurrentThread(last));
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
    public void WorkerCpus_GivenOrNot_UsesTheGivenElseTheAllowed()
    {
        Assert.Equal([5, 7], Datapath.Forwarding.Bridge.WorkerCpus(new Datapath.Forwarding.BridgeOptions(Cpus: [5, 7])));
        Assert.Equal(CpuAffinity.Allowed(), Datapath.Forwarding.Bridge.WorkerCpus(new Datapath.Forwarding.BridgeOptions()));
    }
}
