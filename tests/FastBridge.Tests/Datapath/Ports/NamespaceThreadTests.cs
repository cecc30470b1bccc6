using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Ports;
using Microsoft.Win32.SafeHandles;

namespace FastBridge.Tests.Datapath.Ports;

public sealed class NamespaceThreadTests
{
    [Fact]
    public void Run_Namespace_SeesItsLinksNotTheHosts()
    {
        using VethLab lab = VethLab.Create();
        using var namespaceThread = new NamespaceThread();
        using SafeFileHandle netns = Namespaces.OpenNamed(lab.Netns);
        uint inside = 0, hostInside = 0;
        namespaceThread.Run(netns, lab.Netns, () =>
        {
            inside = LibcExtras.if_nametoindex(lab.Peer);
            hostInside = LibcExtras.if_nametoindex(lab.Host);
        });
        Assert.NotEqual(0u, inside);
        Assert.Equal(0u, hostInside);
    }

    [Fact]
    public void Run_Returned_ThreadIsBackInOurNamespace()
    {
        using VethLab lab = VethLab.Create();
        using var namespaceThread = new NamespaceThread();
        using SafeFileHandle netns = Namespaces.OpenNamed(lab.Netns);
        string task = "", namespaceInside = "";
        namespaceThread.Run(netns, lab.Netns, () =>
        {
            task = new FileInfo("/proc/thread-self").LinkTarget!; // "PID/task/TID"
            namespaceInside = NamespaceOf($"/proc/{task}");
        });
        Assert.NotEqual(NamespaceOf("/proc/self"), namespaceInside);
        Assert.Equal(NamespaceOf("/proc/self"), NamespaceOf($"/proc/{task}"));
    }

    [Fact]
    public void Run_ManyRequests_OneThreadServesThemAll()
    {
        using VethLab lab = VethLab.Create();
        using var namespaceThread = new NamespaceThread();
        var tasks = new HashSet<string>();
        for (int i = 0; i < 100; i++)
        {
            using SafeFileHandle netns = Namespaces.OpenNamed(lab.Netns);
            namespaceThread.Run(netns, lab.Netns, () => tasks.Add(new FileInfo("/proc/thread-self").LinkTarget!));
        }
        Assert.Single(tasks);
    }

    [Fact]
    public void Run_CannotEnter_ThrowsNamingItAndServesTheNext()
    {
        using VethLab lab = VethLab.Create();
        using var namespaceThread = new NamespaceThread();
        using SafeFileHandle notNetwork = File.OpenHandle("/proc/self/ns/uts", FileMode.Open, FileAccess.Read);
        bool ran = false;
        var ex = Assert.Throws<InvalidOperationException>(() => namespaceThread.Run(notNetwork, "the uts namespace", () => ran = true));
        Assert.StartsWith("cannot enter the uts namespace: setns: ", ex.Message, StringComparison.Ordinal);
        Assert.False(ran);
        using SafeFileHandle netns = Namespaces.OpenNamed(lab.Netns);
        uint inside = 0;
        namespaceThread.Run(netns, lab.Netns, () => inside = LibcExtras.if_nametoindex(lab.Peer));
        Assert.NotEqual(0u, inside);
    }

    [Fact]
    public void Run_NamespaceDeletedAfterward_ItGoesWithItsVeth()
    {
        using VethLab lab = VethLab.Create();
        using var namespaceThread = new NamespaceThread();
        using (SafeFileHandle netns = Namespaces.OpenNamed(lab.Netns))
        {
            namespaceThread.Run(netns, lab.Netns, () => { });
        }
        VethLab.Ip("netns", "del", lab.Netns);
        // The kernel dismantles a namespace nobody holds in a work queue: its veth, and so our end, goes soon after.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (LibcExtras.if_nametoindex(lab.Host) != 0 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(50);
        }
        Assert.Equal(0u, LibcExtras.if_nametoindex(lab.Host));
    }

    [Fact]
    public void Run_RequestThrows_RethrowsOnCaller()
    {
        using VethLab lab = VethLab.Create();
        using var namespaceThread = new NamespaceThread();
        using SafeFileHandle netns = Namespaces.OpenNamed(lab.Netns);
        var ex = Assert.Throws<InvalidTimeZoneException>(() => namespaceThread.Run(netns, lab.Netns, () => throw new InvalidTimeZoneException("inside")));
        Assert.Equal("inside", ex.Message);
    }

    [Fact]
    public void Run_FromARequest_Throws()
    {
        using VethLab lab = VethLab.Create();
        using var namespaceThread = new NamespaceThread();
        using SafeFileHandle netns = Namespaces.OpenNamed(lab.Netns);
        Assert.Throws<InvalidOperationException>(() => namespaceThread.Run(netns, lab.Netns, () => namespaceThread.Run(netns, lab.Netns, () => { })));
    }

    /// <summary>"net:[inode]" of a process or task directory: the same for everything in one namespace.</summary>
    private static string NamespaceOf(string procDirectory) => new FileInfo($"{procDirectory}/ns/net").LinkTarget!;
}
