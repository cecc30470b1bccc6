// A plain AF_PACKET socket for the far side of a lab: sends and receives whole frames with
// sendto/recvfrom, bound to one EtherType so stray IPv6 chatter on the link is not seen. A failed
// call throws with its errno. The kernel takes a received frame's outer VLAN tag into metadata and, where
// no VLAN device takes it, drops it before sockets bound to one EtherType see the frame: a socket opened
// keeping tags binds to every EtherType instead (skipping what the peer sends itself), asks for the tag
// (PACKET_AUXDATA) and puts it back, so tests see the bytes on the wire.
using System.Runtime.InteropServices;
using FastBridge.ControlPlane.Lab;
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Ports;
using FastBridge.Testing.Frames;
using Tmds.Linux;

namespace FastBridge.Testing.Traffic;

internal sealed unsafe class RawSocket : IDisposable
{
    // linux/if_packet.h: struct tpacket_auxdata's tp_status, tp_vlan_tci and tp_vlan_tpid, and the status bits.
    private const int AuxStatus = 0, AuxVlanTci = 16, AuxVlanTpid = 18;
    private const uint VlanValid = 0x10, VlanTpidValid = 0x40;
    private const int VlanTagLength = 4;
    private const ushort EveryEtherType = 0x0003; // ETH_P_ALL
    private const byte Outgoing = 4;              // PACKET_OUTGOING

    private readonly int _fd;
    private readonly int _ifIndex;
    private bool _keepsTags;

    private RawSocket(int fd, int ifIndex)
    {
        _fd = fd;
        _ifIndex = ifIndex;
    }

    /// <summary>Opens the socket inside <paramref name="netns"/> (it stays there) on <paramref name="ifName"/>.</summary>
    /// <param name="keepTags">Receive tagged frames with their tag where it was (see the file's header).</param>
    public static RawSocket OpenIn(string netns, string ifName, ushort etherType, bool keepTags = false)
    {
        RawSocket? socket = null;
        Namespaces.RunIn(netns, () => socket = Open(ifName, etherType, keepTags));
        return socket!;
    }

    public static RawSocket Open(string ifName, ushort etherType, bool keepTags = false)
    {
        int ifIndex = (int)LibcExtras.if_nametoindex(ifName);
        if (ifIndex <= 0)
        {
            throw new InvalidOperationException($"{ifName} not found");
        }
        int fd = LibC.socket(LibC.AF_PACKET, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, 0);
        Check(fd, ifName, "socket");
        var socket = new RawSocket(fd, ifIndex);
        try
        {
            ushort bound = keepTags ? EveryEtherType : etherType;
            var address = new sockaddr_ll { sll_family = (ushort)LibC.AF_PACKET, sll_protocol = IfPacket.Htons(bound), sll_ifindex = ifIndex };
            Check(LibC.bind(fd, (sockaddr*)&address, sizeof(sockaddr_ll)), ifName, "bind");
            int rcvbuf = 32 << 20; // room for every frame a test sends before it reads
            Check(LibC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, &rcvbuf, sizeof(int)), ifName, "SO_RCVBUFFORCE");
            if (keepTags)
            {
                int on = 1;
                Check(LibC.setsockopt(fd, LibC.SOL_PACKET, LibC.PACKET_AUXDATA, &on, sizeof(int)), ifName, "PACKET_AUXDATA");
                socket._keepsTags = true;
            }
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Send(ReadOnlySpan<byte> frame)
    {
        var address = new sockaddr_ll { sll_family = (ushort)LibC.AF_PACKET, sll_ifindex = _ifIndex, sll_halen = 6 };
        fixed (byte* p = frame)
        {
            long sent = LibC.sendto(_fd, p, frame.Length, 0, (sockaddr*)&address, sizeof(sockaddr_ll));
            if (sent != frame.Length)
            {
                throw new InvalidOperationException($"sendto: {sent}, {LibcExtras.ErrnoText(Marshal.GetLastPInvokeError())}");
            }
        }
    }

    /// <summary>The next frame, or null after <paramref name="timeoutMs"/>.</summary>
    public byte[]? Receive(int timeoutMs)
    {
        var pollFd = new pollfd { fd = _fd, events = LibC.POLLIN };
        if (LibC.poll(&pollFd, 1, timeoutMs) <= 0)
        {
            return null;
        }
        byte* buffer = stackalloc byte[65536];
        if (_keepsTags)
        {
            return ReceiveKeepingTag(buffer, 65536);
        }
        long length = LibC.recvfrom(_fd, buffer, 65536, LibC.MSG_DONTWAIT, null, null);
        return length < 0 ? null : new ReadOnlySpan<byte>(buffer, (int)length).ToArray();
    }

    /// <summary>The next frame with its VLAN tag where it was on the wire; null when none waits, or it is one the socket saw leave.</summary>
    private byte[]? ReceiveKeepingTag(byte* buffer, int size)
    {
        const int ControlSize = 64;
        byte* control = stackalloc byte[ControlSize];
        sockaddr_ll from;
        var part = new iovec { iov_base = buffer, iov_len = size };
        var message = new msghdr { msg_name = &from, msg_namelen = (uint)sizeof(sockaddr_ll), msg_iov = &part, msg_iovlen = 1, msg_control = control, msg_controllen = ControlSize };
        long length = LibC.recvmsg(_fd, &message, LibC.MSG_DONTWAIT);
        if (length < 0 || from.sll_pkttype == Outgoing)
        {
            return null;
        }
        byte[] frame = new ReadOnlySpan<byte>(buffer, (int)length).ToArray();
        for (cmsghdr* header = LibC.CMSG_FIRSTHDR(&message); header != null; header = LibC.CMSG_NXTHDR(&message, header))
        {
            if (header->cmsg_level == LibC.SOL_PACKET && header->cmsg_type == LibC.PACKET_AUXDATA)
            {
                byte* aux = LibC.CMSG_DATA(header);
                uint status = *(uint*)(aux + AuxStatus);
                if ((status & VlanValid) != 0)
                {
                    ushort tpid = (status & VlanTpidValid) != 0 ? *(ushort*)(aux + AuxVlanTpid) : (ushort)0x8100;
                    return TestFrames.Tagged(frame, tpid, *(ushort*)(aux + AuxVlanTci));
                }
            }
        }
        return frame;
    }

    /// <summary>The next frame of the test EtherType (skipping link chatter), or null after <paramref name="timeoutMs"/>.</summary>
    public byte[]? ReceiveTest(int timeoutMs)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (DateTime.UtcNow < deadline)
        {
            if (Receive(20) is byte[] frame && (TestFrames.IsTest(frame) || (_keepsTags && TestFrames.IsTest(frame.AsSpan(VlanTagLength))))) // a tagged one: its EtherType is a tag further on
            {
                return frame;
            }
        }
        return null;
    }

    public void Dispose() => LibC.close(_fd);

    private static void Check(int result, string ifName, string call)
    {
        if (result < 0)
        {
            throw new InvalidOperationException($"raw socket on {ifName}: {call}: {LibcExtras.ErrnoText(Marshal.GetLastPInvokeError())}");
        }
    }
}
