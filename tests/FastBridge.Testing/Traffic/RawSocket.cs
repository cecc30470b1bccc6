// A plain AF_PACKET socket for the far side of a lab: sends and receives whole frames with
// sendto/recvfrom, bound to one EtherType so stray IPv6 chatter on the link is not seen. A failed
// call throws with its errno.
using System.Runtime.InteropServices;
using FastBridge.ControlPlane.Lab;
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Ports;
using FastBridge.Testing.Frames;
using Tmds.Linux;

namespace FastBridge.Testing.Traffic;

internal sealed unsafe class RawSocket : IDisposable
{
    private readonly int _fd;
    private readonly int _ifIndex;

    private RawSocket(int fd, int ifIndex)
    {
        _fd = fd;
        _ifIndex = ifIndex;
    }

    /// <summary>Opens the socket inside <paramref name="netns"/> (it stays there) on <paramref name="ifName"/>.</summary>
    public static RawSocket OpenIn(string netns, string ifName, ushort etherType)
    {
        RawSocket? socket = null;
        Namespaces.RunIn(netns, () => socket = Open(ifName, etherType));
        return socket!;
    }

    public static RawSocket Open(string ifName, ushort etherType)
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
            var address = new sockaddr_ll { sll_family = (ushort)LibC.AF_PACKET, sll_protocol = IfPacket.Htons(etherType), sll_ifindex = ifIndex };
            Check(LibC.bind(fd, (sockaddr*)&address, sizeof(sockaddr_ll)), ifName, "bind");
            int rcvbuf = 32 << 20; // room for every frame a test sends before it reads
            Check(LibC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, &rcvbuf, sizeof(int)), ifName, "SO_RCVBUFFORCE");
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
        long length = LibC.recvfrom(_fd, buffer, 65536, LibC.MSG_DONTWAIT, null, null);
        return length < 0 ? null : new ReadOnlySpan<byte>(buffer, (int)length).ToArray();
    }

    /// <summary>The next frame of the test EtherType (skipping link chatter), or null after <paramref name="timeoutMs"/>.</summary>
    public byte[]? ReceiveTest(int timeoutMs)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (DateTime.UtcNow < deadline)
        {
            if (Receive(20) is byte[] frame && TestFrames.IsTest(frame))
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
