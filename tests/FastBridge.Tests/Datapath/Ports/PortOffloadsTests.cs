using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Ports;
using Tmds.Linux;

namespace FastBridge.Tests.Datapath.Ports;

public sealed class PortOffloadsTests
{
    [Fact]
    public void DisableReceiveOffloads_GroOn_TurnsItOffAndDisposeRestoresIt()
    {
        using VethLab lab = VethLab.Create();
        SetFeature(lab.Host, Ethtool.SGro, 1);
        Assert.Equal(1u, ReadFeature(lab.Host, Ethtool.GGro));

        using (PortOffloads.DisableReceiveOffloads(lab.Host))
        {
            Assert.Equal(0u, ReadFeature(lab.Host, Ethtool.GGro));
            Assert.Equal(0u, ReadFeature(lab.Host, Ethtool.GFlags) & Ethtool.EthFlagLro);
        }
        Assert.Equal(1u, ReadFeature(lab.Host, Ethtool.GGro));
    }

    [Fact]
    public void DisableReceiveOffloads_GroAlreadyOff_DisposeLeavesItOff()
    {
        using VethLab lab = VethLab.Create();
        SetFeature(lab.Host, Ethtool.SGro, 0);

        PortOffloads.DisableReceiveOffloads(lab.Host).Dispose();

        Assert.Equal(0u, ReadFeature(lab.Host, Ethtool.GGro));
    }

    [Fact]
    public void DisableReceiveOffloads_Nonexistent_ThrowsNamingInterface()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => PortOffloads.DisableReceiveOffloads("fbapnonexist0"));
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
