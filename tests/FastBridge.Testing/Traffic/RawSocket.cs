// A plain AF_PACKET socket for the far side of a lab: sends and receives whole frames with
// sendto/recvfrom, bound to one EtherType so stray IPv6 chatter on the link is not seen.
using System.Runtime.InteropServices;
using FastBridge.ControlPlane.Lab;
using FastBridge.Datapath.Interop;

namespace FastBridge.Tests.Ports;

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
        int ifIndex = (int)Libc.if_nametoindex(ifName);
        Assert.True(ifIndex > 0, $"{ifName} not found");
        int fd = Libc.socket(Libc.AfPacket, Libc.SockRaw | Libc.SockCloexec, 0);
        Assert.True(fd >= 0, $"socket: {Marshal.GetLastPInvokeError()}");
        var address = new IfPacket.SockaddrLl { SllFamily = Libc.AfPacket, SllProtocol = IfPacket.Htons(etherType), SllIfindex = ifIndex };
        Assert.Equal(0, Libc.bind(fd, &address, (uint)sizeof(IfPacket.SockaddrLl)));
        int rcvbuf = 32 << 20; // room for every frame a test sends before it reads
        Assert.Equal(0, Libc.setsockopt(fd, Libc.SolSocket, Libc.SoRcvbufForce, &rcvbuf, sizeof(int)));
        return new RawSocket(fd, ifIndex);
    }

    public void Send(ReadOnlySpan<byte> frame)
    {
        var address = new IfPacket.SockaddrLl { SllFamily = Libc.AfPacket, SllIfindex = _ifIndex, SllHalen = 6 };
        fixed (byte* p = frame)
        {
            nint sent = Libc.sendto(_fd, p, (nuint)frame.Length, 0, &address, (uint)sizeof(IfPacket.SockaddrLl));
            Assert.True(sent == frame.Length, $"sendto: {sent}, errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>The next frame, or null after <paramref name="timeoutMs"/>.</summary>
    public byte[]? Receive(int timeoutMs)
    {
        var pollFd = new Libc.PollFd { Fd = _fd, Events = Libc.PollIn };
        if (Libc.poll(&pollFd, 1, timeoutMs) <= 0)
        {
            return null;
        }
        byte* buffer = stackalloc byte[65536];
        nint length = Libc.recvfrom(_fd, buffer, 65536, Libc.MsgDontwait, null, null);
        return length < 0 ? null : new ReadOnlySpan<byte>(buffer, (int)length).ToArray();
    }

    public void Dispose() => Libc.close(_fd);
}
