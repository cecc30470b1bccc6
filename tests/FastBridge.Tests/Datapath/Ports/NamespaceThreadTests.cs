using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Ports;
using Microsoft.Win32.SafeHandles;

namespace FastBridge.Tests.Datapath.Ports;

public sealed class NamespaceThreadTests : IDisposable
{
    private readonly VethLab _lab = VethLab.Create();
    private readonly NamespaceThread _namespaceThread = new();

    public void Dispose()
    {
        _namespaceThread.Dispose();
        _lab.Dispose();
    }

    [Fact]
    public void Run_Returned_ThreadIsBackInOurNamespace()
    {
        using SafeFileHandle netns = Namespaces.OpenNamed(_lab.Netns);
        string task = "", namespaceInside = "";
        _namespaceThread.Run(netns, _lab.Netns, () =>
        {
            task = new FileInfo("/proc/thread-self").LinkTarget!; // "PID/task/TID"
            namespaceInside = NamespaceOf($"/proc/{task}");
        });
        Assert.NotEqual(NamespaceOf("/proc/self"), namespaceInside);
        Assert.Equal(NamespaceOf("/proc/self"), NamespaceOf($"/proc/{task}"));
    }

    [Fact]
    public void Run_ManyRequests_OneThreadServesThemAllInsideTheNamespace()
    {
        var tasks = new HashSet<string>();
        var peerSeen = new List<bool>();
        for (int i = 0; i < 100; i++)
        {
            using SafeFileHandle netns = Namespaces.OpenNamed(_lab.Netns);
            _namespaceThread.Run(netns, _lab.Netns, () =>
            {
                tasks.Add(new FileInfo("/proc/thread-self").LinkTarget!); // "PID/task/TID"
                peerSeen.Add(LibcExtras.if_nametoindex(_lab.Peer) != 0 && LibcExtras.if_nametoindex(_lab.Host) == 0);
            });
        }
        Assert.Single(tasks);
        Assert.All(peerSeen, Assert.True);
    }

    [Fact]
    public void Run_CannotEnter_ThrowsNamingItAndServesTheNext()
    {
        using SafeFileHandle notNetwork = File.OpenHandle("/proc/self/ns/uts", FileMode.Open, FileAccess.Read);
        bool ran = false;
        var ex = Assert.Throws<InvalidOperationException>(() => _namespaceThread.Run(notNetwork, "the uts namespace", () => ran = true));
        Assert.StartsWith("cannot enter the uts namespace: setns: ", ex.Message, StringComparison.Ordinal);
        Assert.False(ran);
        using SafeFileHandle netns = Namespaces.OpenNamed(_lab.Netns);
        uint inside = 0;
        _namespaceThread.Run(netns, _lab.Netns, () => inside = LibcExtras.if_nametoindex(_lab.Peer));
        Assert.NotEqual(0u, inside);
    }

    [Fact]
    public void Run_NamespaceDeletedAfterward_ItGoesWithItsVeth()
    {
        using (SafeFileHandle netns = Namespaces.OpenNamed(_lab.Netns))
        {
            _namespaceThread.Run(netns, _lab.Netns, () => { });
        }
        VethLab.Ip("netns", "del", _lab.Netns);
        // The kernel dismantles a namespace nobody holds in a work queue: its veth, and so our end, goes soon after.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (LibcExtras.if_nametoindex(_lab.Host) != 0 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(50);
        }
        Assert.Equal(0u, LibcExtras.if_nametoindex(_lab.Host));
    }

    [Fact]
    public void Run_RequestThrows_RethrowsOnCaller()
    {
        using SafeFileHandle netns = Namespaces.OpenNamed(_lab.Netns);
        var ex = Assert.Throws<InvalidTimeZoneException>(() => _namespaceThread.Run(netns, _lab.Netns, () => throw new InvalidTimeZoneException("inside")));
        Assert.Equal("inside", ex.Message);
    }

    [Fact]
    public void Run_FromARequest_Throws()
    {
        using SafeFileHandle netns = Namespaces.OpenNamed(_lab.Netns);
        Assert.Throws<InvalidOperationException>(() => _namespaceThread.Run(netns, _lab.Netns, () => _namespaceThread.Run(netns, _lab.Netns, () => { })));
    }

    /// <summary>"net:[inode]" of a process or task directory: the same for everything in one namespace.</summary>
    private static string NamespaceOf(string procDirectory) => new FileInfo($"{procDirectory}/ns/net").LinkTarget!;
}
