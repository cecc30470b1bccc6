// ifreq-based interface queries (<linux/if.h>, <linux/sockios.h>, <linux/if_arp.h>). They run on an
// AF_INET datagram socket, which needs no privileges, so "does not exist" is answerable by anyone.
using System.Runtime.InteropServices;
using System.Text;
using Tmds.Linux;

namespace FastBridge.Datapath.Interop;

internal static unsafe class Netdevice
{
    internal const int IfNameSize = 16;

    // SIOCGIFFLAGS, SIOCGIFMTU, SIOCGIFHWADDR, SIOCGIFINDEX and ioctl itself are Tmds.LibC's; the rest of
    // this file is ours because Tmds.LibC 0.5.0 lacks it (SIOCETHTOOL, IFF_*, ARPHRD_*, struct ifreq).
    internal const int SiocEthtool = 0x8946;

    internal const int IffUp = 0x1;
    internal const int IffLoopback = 0x8;

    /// <summary>Operationally up (netif_oper_up: carrier, not dormant), what the Linux bridge checks before a port forwards.</summary>
    internal const int IffRunning = 0x40;
    internal const int IffPromisc = 0x100;

    internal const ushort ArphrdEther = 1;
    internal const ushort ArphrdLoopback = 772;
    internal const ushort ArphrdNone = 0xFFFE;

    /// <summary>struct ifreq: the name, then a 24-byte union (ifr_flags, ifr_ifindex, ifr_mtu, ifr_hwaddr, ifr_data).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 40)]
    internal struct IfReq
    {
        [FieldOffset(0)] public fixed byte Name[IfNameSize];
        [FieldOffset(16)] public short Flags;
        [FieldOffset(16)] public int IfIndex;
        [FieldOffset(16)] public int Mtu;
        [FieldOffset(16)] public ushort HwAddrFamily;
        [FieldOffset(18)] public fixed byte HwAddrData[14];
        [FieldOffset(16)] public void* Data;
    }

    /// <summary>Opens the unprivileged socket the SIOC* requests go through; -errno on failure.</summary>
    internal static int OpenControlSocket()
    {
        int fd = LibC.socket(LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        return fd >= 0 ? fd : -Marshal.GetLastPInvokeError();
    }

    /// <summary>False for a name the kernel could never hold (empty, too long, '/' or NUL inside).</summary>
    internal static bool IsValidName(string name) =>
        name.Length is > 0 and < IfNameSize && name.IndexOfAny(['/', '\0', ' ', ':']) < 0 && name is not ("." or "..");

    internal static IfReq NewRequest(string name)
    {
        var request = default(IfReq);
        int written = Encoding.UTF8.GetBytes(name, new Span<byte>(request.Name, IfNameSize - 1));
        request.Name[written] = 0;
        return request;
    }

    /// <summary>Runs one SIOC* request; 0 or the errno.</summary>
    internal static int Ioctl(int fd, int request, ref IfReq ifreq)
    {
        fixed (IfReq* p = &ifreq)
        {
            return LibC.ioctl(fd, request, p) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
    }
}
