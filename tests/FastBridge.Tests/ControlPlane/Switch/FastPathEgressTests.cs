// The fast path's egress check over rtnetlink, on real links: a veth whose peer is in our namespace, in
// a named namespace with GRO on and off, or runs an XDP program; a peer in a namespace without a name
// (an `unshare -n` process's, found through /proc), also after the name it was remembered by came to
// mean another namespace; and a link that is not a veth (a bridge). Each builds its own
// links (VethLab names) and removes them, the process included, even when it fails.
using FastBridge.ControlPlane.Lab;
using FastBridge.ControlPlane.Switch;
using FastBridge.Datapath.Ports;
using FastBridge.Datapath.Xdp;
using FastBridge.Testing.Lab;
using FastBridge.Testing.Processes;
using Microsoft.Win32.SafeHandles;

namespace FastBridge.Tests.ControlPlane.Switch;

public sealed class FastPathEgressTests : IDisposable
{
    private readonly VethLab _lab = new();
    private readonly FastBridge.ControlPlane.Switch.FastPathEgress _check = new(); // the Xdp namespace has a map value of this name

    public void Dispose() => _lab.Dispose();

    [Fact]
    public void Check_PeerInOurNamespaceGroOn_ConfirmedNamingPeer()
    {
        (string port, string peer) = (_lab.Name("o"), _lab.Name("op"));
        _lab.AddLink(port, "type", "veth", "peer", "name", peer);
        Assert.Equal(0, InterfaceGro.Write(null, "our namespace", peer, on: true));

        EgressAnswer answer = _check.Check(NetInterface.Inspect(port));

        Assert.Equal(new EgressAnswer(EgressVerdict.Confirmed, $"peer {peer} has GRO on"), answer);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Check_PeerInNamedNamespace_FollowsItsGro(bool groOn)
    {
        (string port, string peer) = _lab.AddVeth("n");
        HostGro.Set(_lab.Netns, peer, groOn);

        EgressAnswer answer = _check.Check(NetInterface.Inspect(port));

        Assert.Equal(groOn
            ? new EgressAnswer(EgressVerdict.Confirmed, $"peer {peer} in namespace {_lab.Netns} has GRO on")
            : new EgressAnswer(EgressVerdict.Refused, $"peer {peer} in namespace {_lab.Netns} has GRO off (ethtool -K {peer} gro on)"), answer);
    }

    [Fact]
    public void Check_PeerRunsXdpProgramGroOff_Confirmed()
    {
        (string port, string peer) = _lab.AddVeth("x");
        HostGro.Set(_lab.Netns, peer, on: false);
        XdpAttachment? program = null;
        Namespaces.RunIn(_lab.Netns, () => program = XdpAttachment.Attach(NetInterface.Inspect(peer)));
        try
        {
            EgressAnswer answer = _check.Check(NetInterface.Inspect(port));

            Assert.Equal(new EgressAnswer(EgressVerdict.Confirmed, $"peer {peer} in namespace {_lab.Netns} runs an XDP program"), answer);
        }
        finally
        {
            program?.Dispose();
        }
    }

    [Fact]
    public void Check_PeerInUnnamedNamespaceOfProcess_FoundThroughProcAndRead()
    {
        (string port, string peer) = (_lab.Name("u"), _lab.Name("up"));
        using var holder = new ChildProcess("unshare", ["-n", "sleep", "60"]);
        _lab.AddLink(port, "type", "veth", "peer", "name", peer);
        string netns = $"/proc/{holder.Pid}/ns/net";
        Assert.True(SpinWait.SpinUntil(() => new FileInfo(netns).LinkTarget != new FileInfo("/proc/self/ns/net").LinkTarget, 5000), "unshare did not start");
        VethLab.Ip("link", "set", peer, "netns", holder.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using (SafeFileHandle handle = File.OpenHandle(netns, FileMode.Open, FileAccess.Read))
        {
            Assert.Equal(0, InterfaceGro.Write(handle, "the test's namespace", peer, on: true));
        }

        EgressAnswer on = _check.Check(NetInterface.Inspect(port));
        EgressAnswer again = _check.Check(NetInterface.Inspect(port)); // through the remembered path, checked again

        Assert.Equal(new EgressAnswer(EgressVerdict.Confirmed, $"peer {peer} in the namespace of pid {holder.Pid} has GRO on"), on);
        Assert.Equal(on, again);
    }

    [Fact]
    public void Check_RememberedNamespaceNameNowAnotherNamespace_FoundAgainThroughProc()
    {
        (string port, string peer) = (_lab.Name("m"), _lab.Name("mp"));
        string name = _lab.Name("mn");
        using var holder = new ChildProcess("unshare", ["-n", "sleep", "60"]);
        string pid = holder.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _lab.AddNamespace(name); // tracked for removal; replaced at once by the name of the holder's namespace
        VethLab.Ip("netns", "del", name);
        Assert.True(SpinWait.SpinUntil(() => new FileInfo($"/proc/{pid}/ns/net").LinkTarget != new FileInfo("/proc/self/ns/net").LinkTarget, 5000), "unshare did not start");
        VethLab.Ip("netns", "attach", name, pid);
        _lab.AddLink(port, "type", "veth", "peer", "name", peer, "netns", name);
        HostGro.Set(name, peer, on: true);
        Assert.Equal($"peer {peer} in namespace {name} has GRO on", _check.Check(NetInterface.Inspect(port)).Reason);

        VethLab.Ip("netns", "del", name); // the holder keeps the namespace, and the peer, alive
        VethLab.Ip("netns", "add", name); // the remembered path now opens another namespace

        Assert.Equal(new EgressAnswer(EgressVerdict.Confirmed, $"peer {peer} in the namespace of pid {pid} has GRO on"), _check.Check(NetInterface.Inspect(port)));
    }

    [Fact]
    public void Check_BridgeLink_RefusedNotAVeth()
    {
        string bridge = _lab.Name("br"); // not a dummy: this kernel may be built without that driver
        _lab.AddLink(bridge, "type", "bridge");

        EgressAnswer answer = _check.Check(NetInterface.Inspect(bridge));

        Assert.Equal(new EgressAnswer(EgressVerdict.Refused, "not a veth: whether its driver takes XDP frames is not known"), answer);
    }
}
