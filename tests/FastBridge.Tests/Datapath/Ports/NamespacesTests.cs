using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Ports;

namespace FastBridge.Tests.Datapath.Ports;

public sealed class NamespacesTests
{
    [Fact]
    public void RunIn_Namespace_SeesItsLinksNotTheHosts()
    {
        using VethLab lab = VethLab.Create();
        uint inside = 0, hostInside = 0;
        Namespaces.RunIn(lab.Netns, () =>
        {
            inside = LibcExtras.if_nametoindex(lab.Peer);
            hostInside = LibcExtras.if_nametoindex(lab.Host);
        });
        Assert.NotEqual(0u, inside);
        Assert.Equal(0u, hostInside);
        Assert.Equal(0u, LibcExtras.if_nametoindex(lab.Peer));
        Assert.NotEqual(0u, LibcExtras.if_nametoindex(lab.Host));
    }

    [Fact]
    public void RunIn_ActionThrows_RethrowsOnCaller()
    {
        using VethLab lab = new VethLab();
        lab.AddNamespace(lab.Netns);
        var ex = Assert.Throws<InvalidTimeZoneException>(() => Namespaces.RunIn(lab.Netns, () => throw new InvalidTimeZoneException("inside")));
        Assert.Equal("inside", ex.Message);
    }

    [Fact]
    public void RunIn_MissingNamespace_Throws()
    {
        Assert.ThrowsAny<IOException>(() => Namespaces.RunIn("fbapnonexist00", () => { }));
    }
}
