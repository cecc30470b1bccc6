// Looks at an interface before the switch touches it, and refuses the ones it must not take:
// missing, loopback, not Ethernet, or already enslaved to a bridge, bond or Open vSwitch. Changes
// nothing and needs no privileges (SIOCGIF* on an AF_INET datagram socket, sysfs reads).
using System.Globalization;
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Interop;
using Tmds.Linux;

namespace FastBridge.Datapath.Ports;

public static unsafe class NetInterface
{
    public static NetInterfaceInfo Inspect(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!Netdevice.IsValidName(name) || LibcExtras.if_nametoindex(name) == 0)
        {
            throw new PortRefusedException($"interface '{name}' does not exist");
        }

        int fd = Netdevice.OpenControlSocket();
        if (fd < 0)
        {
            throw new PortRefusedException($"interface {name}: cannot open a control socket: {LibcExtras.ErrnoText(-fd)}");
        }
        try
        {
            Netdevice.IfReq request = Netdevice.NewRequest(name);
            Query(fd, name, LibC.SIOCGIFINDEX, "SIOCGIFINDEX", ref request);
            int ifIndex = request.IfIndex;
            Query(fd, name, LibC.SIOCGIFFLAGS, "SIOCGIFFLAGS", ref request);
            int flags = (ushort)request.Flags;
            if ((flags & Netdevice.IffLoopback) != 0)
            {
                throw new PortRefusedException($"interface {name} is a loopback interface");
            }
            Query(fd, name, LibC.SIOCGIFMTU, "SIOCGIFMTU", ref request);
            int mtu = request.Mtu;
            Query(fd, name, LibC.SIOCGIFHWADDR, "SIOCGIFHWADDR", ref request);
            ushort hwType = request.HwAddrFamily;
            if (hwType != Netdevice.ArphrdEther)
            {
                throw new PortRefusedException($"interface {name} is not Ethernet (hardware type {HardwareTypeName(hwType)})");
            }
            ulong mac = 0;
            for (int i = 0; i < 6; i++)
            {
                mac = (mac << 8) | request.HwAddrData[i];
            }

            string? master = MasterOf(name);
            if (master is not null)
            {
                throw new PortRefusedException($"interface {name} is already enslaved to {MasterKind(master)} {master}; release it from there first");
            }
            return new NetInterfaceInfo(name, ifIndex, mtu, mac, (flags & Netdevice.IffUp) != 0, (flags & Netdevice.IffRunning) != 0);
        }
        finally
        {
            LibC.close(fd);
        }
    }

    private static void Query(int fd, string name, int request, string requestName, ref Netdevice.IfReq ifreq)
    {
        int errno = Netdevice.Ioctl(fd, request, ref ifreq);
        if (errno == LibC.ENODEV || errno == LibC.ENXIO)
        {
            throw new PortRefusedException($"interface '{name}' does not exist");
        }
        if (errno != 0)
        {
            throw new PortRefusedException($"interface {name}: {requestName} failed: {LibcExtras.ErrnoText(errno)}");
        }
    }

    /// <summary>The name of the device this one is enslaved to (/sys/class/net/IF/master), or null.</summary>
    private static string? MasterOf(string name)
    {
        string link = $"/sys/class/net/{name}/master";
        if (!Directory.Exists(link))
        {
            return null;
        }
        FileSystemInfo? target = new FileInfo(link).ResolveLinkTarget(returnFinalTarget: false);
        return target is null ? null : Path.GetFileName(target.FullName.TrimEnd('/'));
    }

    private static string MasterKind(string master)
    {
        if (Directory.Exists($"/sys/class/net/{master}/bridge"))
        {
            return "bridge";
        }
        if (Directory.Exists($"/sys/class/net/{master}/bonding"))
        {
            return "bond";
        }
        return master == "ovs-system" ? "Open vSwitch" : "master device";
    }

    private static string HardwareTypeName(ushort hwType) => hwType switch
    {
        Netdevice.ArphrdNone => "none, e.g. a tun device",
        Netdevice.ArphrdLoopback => "loopback",
        _ => $"ARPHRD {hwType}",
    };
}
