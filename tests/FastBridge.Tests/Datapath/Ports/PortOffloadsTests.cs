using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Ports;
using Tmds.Linux;

namespace FastBridge.Tests.Datapath.Ports;

public sealed class PortOffloadsTests
{
    [Fact]
    public void DisableForSwitching_GroAndTsoOn_TurnsThemOffAndDisposeRestoresThem()
    {
        using VethLab lab = VethLab.Create();
        SetFeature(lab.Host, Ethtool.SGro, 1);
        SetFeature(lab.Host, Ethtool.STso, 1);
        Assert.Equal((1u, 1u), (ReadFeature(lab.Host, Ethtool.GGro), ReadFeature(lab.Host, Ethtool.GTso)));

        using (PortOffloads.DisableForSwitching(lab.Host))
        {
            Assert.Equal(0u, ReadFeature(lab.Host, Ethtool.GGro));
            Assert.Equal(0u, ReadFeature(lab.Host, Ethtool.GTso)); // a veth with TSO off sends to its peer's NAPI ring, as redirects do
            Assert.Equal(0u, ReadFeature(lab.Host, Ethtool.GFlags) & Ethtool.EthFlagLro);
        }
        Assert.Equal((1u, 1u), (ReadFeature(lab.Host, Ethtool.GGro), ReadFeature(lab.Host, Ethtool.GTso)));
    }

    [Fact]
    public void DisableForSwitching_GroAlreadyOff_DisposeLeavesItOff()
    {
        using VethLab lab = VethLab.Create();
        SetFeature(lab.Host, Ethtool.SGro, 0);

        PortOffloads.DisableForSwitching(lab.Host).Dispose();

        Assert.Equal(0u, ReadFeature(lab.Host, Ethtool.GGro));
    }

    [Fact]
    public void DisableForSwitching_Nonexistent_ThrowsNamingInterface()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => PortOffloads.DisableForSwitching("fbapnonexist0"));
        Assert.Contains("fbapnonexist0", ex.Message, StringComparison.Ordinal);
        Assert.Contains("No such device", ex.Message, StringComparison.Ordinal);
    }

    internal static uint ReadFeature(string ifName, uint command)
    {
        int fd = Netdevice.OpenControlSocket();
        try
        {
            Assert.Equal(0, Ethtool.Get(fd, ifName, command, out uint value));
            return value;
        }
        finally
        {
            LibC.close(fd);
        }
    }

    internal static void SetFeature(string ifName, uint command, uint value)
    {
        int fd = Netdevice.OpenControlSocket();
        try
        {
            Assert.Equal(0, Ethtool.Set(fd, ifName, command, value));
        }
        finally
        {
            LibC.close(fd);
        }
    }
}
