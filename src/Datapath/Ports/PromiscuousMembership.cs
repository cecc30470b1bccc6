// Promiscuous mode held the way the kernel undoes by itself: a PACKET_MR_PROMISC membership on an
// AF_PACKET socket that receives nothing (protocol 0, never bound). Closing the socket — Dispose,
// exit or kill -9 — drops the membership. AF_XDP ports need it: a NIC hands XDP only the unicast
// frames addressed to it unless promiscuous. (AF_PACKET ports hold it on their own socket.)
using System.Runtime.InteropServices;
using FastBridge.Datapath.Interop;
using static FastBridge.Datapath.Interop.IfPacket;
using FastBridge.Datapath.Common;
using Tmds.Linux;

namespace FastBridge.Datapath.Ports;

public sealed unsafe class PromiscuousMembership : IDisposable
{
    private int _fd;

    private PromiscuousMembership(int fd) => _fd = fd;

    public static PromiscuousMembership Join(NetInterfaceInfo iface)
    {
        int fd = LibC.socket(LibC.AF_PACKET, LibC.SOCK_RAW, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new InvalidOperationException($"interface {iface.Name}: AF_PACKET socket for promiscuous mode failed: {LibcExtras.ErrnoText(errno)}{Privileges.RawSocketHint(errno)}");
        }
        var mreq = new packet_mreq { mr_ifindex = iface.IfIndex, mr_type = (ushort)LibC.PACKET_MR_PROMISC };
        if (LibC.setsockopt(fd, LibC.SOL_PACKET, LibC.PACKET_ADD_MEMBERSHIP, &mreq, (uint)sizeof(packet_mreq)) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            LibC.close(fd);
            throw new InvalidOperationException($"interface {iface.Name}: PACKET_MR_PROMISC failed: {LibcExtras.ErrnoText(errno)}");
        }
        return new PromiscuousMembership(fd);
    }

    public void Dispose()
    {
        if (_fd >= 0)
        {
            LibC.close(_fd);
            _fd = -1;
        }
    }
}
