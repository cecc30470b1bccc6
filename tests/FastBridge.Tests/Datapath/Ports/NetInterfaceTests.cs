using FastBridge.Datapath.Common;
using FastBridge.Datapath.Ports;

namespace FastBridge.Tests.Datapath.Ports;

public sealed class NetInterfaceTests
{
    [Fact]
    public void Inspect_Nonexistent_RefusedAsMissing()
    {
        var ex = Assert.Throws<PortRefusedException>(() => NetInterface.Inspect("fbapnonexist0"));
        Assert.Equal("interface 'fbapnonexist0' does not exist", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a-name-much-too-long")]
    [InlineData("../eth0")]
    public void Inspect_ImpossibleName_RefusedAsMissing(string name)
    {
        var ex = Assert.Throws<PortRefusedException>(() => NetInterface.Inspect(name));
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_Loopback_Refused()
    {
        var ex = Assert.Throws<PortRefusedException>(() => NetInterface.Inspect("lo"));
        Assert.Equal("interface lo is a loopback interface", ex.Message);
    }

    [Fact]
    public void Inspect_BridgePort_RefusedNamingTheBridge()
    {
        using VethLab lab = new VethLab();
        string bridge = lab.Name("br");
        lab.AddLink(bridge, "type", "bridge");
        lab.AddLink(lab.Host, "type", "veth", "peer", "name", lab.Peer);
        VethLab.Ip("link", "set", lab.Host, "master", bridge);

        var ex = Assert.Throws<PortRefusedException>(() => NetInterface.Inspect(lab.Host));
        Assert.Equal($"interface {lab.Host} is already enslaved to bridge {bridge}; release it from there first", ex.Message);
    }

    /// <summary>A tun device has no link-layer header (ARPHRD_NONE); dummy, gre and ipip are not available on this kernel, tun is.</summary>
    [Fact]
    public void Inspect_TunDevice_RefusedAsNotEthernet()
    {
        using VethLab lab = new VethLab();
        string tun = lab.Name("tun");
        lab.TrackLink(tun);
        VethLab.Ip("tuntap", "add", "dev", tun, "mode", "tun");

        var ex = Assert.Throws<PortRefusedException>(() => NetInterface.Inspect(tun));
        Assert.Equal($"interface {tun} is not Ethernet (hardware type none, e.g. a tun device)", ex.Message);
    }

    [Fact]
    public void Inspect_Veth_ReturnsIndexMtuMacAndState()
    {
        using VethLab lab = new VethLab();
        lab.AddLink(lab.Host, "type", "veth", "peer", "name", lab.Peer);
        VethLab.Ip("link", "set", lab.Host, "address", "02:fb:00:12:34:56", "mtu", "1400");

        NetInterfaceInfo down = NetInterface.Inspect(lab.Host);
        VethLab.Ip("link", "set", lab.Host, "up");
        NetInterfaceInfo up = NetInterface.Inspect(lab.Host);

        int ifIndex = int.Parse(File.ReadAllText($"/sys/class/net/{lab.Host}/ifindex"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(new NetInterfaceInfo(lab.Host, ifIndex, 1400, 0x02FB_0012_3456UL, false), down);
        Assert.True(up.IsUp);
    }
}
