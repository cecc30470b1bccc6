// Promiscuous mode held the way the kernel undoes by itself: a PACKET_MR_PROMISC membership on an
// AF_PACKET socket that receives nothing (protocol 0, never bound). Closing the socket — Dispose,
// exit or kill -9 — drops the membership. AF_XDP ports need it: a NIC hands XDP only the unicast
// frames addressed to it unless promiscuous. (AF_PACKET ports hold it on their own socket.)
using System.Runtime.InteropServices;
using FastBridge.Datapath.Interop;
using static FastBridge.Datapath.Interop.IfPacket;
using FastBridge.Datapath.Common;

namespace FastBridge.Datapath.Ports;

public sealed unsafe class PromiscuousMembership : IDisposable
{
    private int _fd;

    private PromiscuousMembership(int fd) => _fd = fd;

    public static PromiscuousMembership Join(NetInterfaceInfo iface)
    {
        int fd = Libc.socket(Libc.AfPacket, Libc.SockRaw, 0);
        if (fd < 0)
        {
            throw new InvalidOperationException($"interface {iface.Name}: AF_PACKET socket for promiscuous mode failed: {Libc.ErrnoText(Marshal.GetLastPInvokeError())}");
        }
        var mreq = new PacketMreq { MrIfindex = iface.IfIndex, MrType = PacketMrPromisc };
        if (Libc.setsockopt(fd, SolPacket, PacketAddMembership, &mreq, (uint)sizeof(PacketMreq)) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            Libc.close(fd);
            throw new InvalidOperationException($"interface {iface.Name}: PACKET_MR_PROMISC failed: {Libc.ErrnoText(errno)}");
        }
        return new PromiscuousMembership(fd);
    }

    public void Dispose()
    {
        if (_fd >= 0)
        {
            Libc.close(_fd);
            _fd = -1;
        }
    }
}
