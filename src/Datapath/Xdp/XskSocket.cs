// Set-up of one AF_XDP socket on one (interface, queue): register the UMEM (first socket of a UMEM) or
// share it, size and map the four rings, bind. Follows the order libxdp's xsk.c uses, because the
// kernel only lets the rings be mapped before bind (Documentation/networking/af_xdp.rst). Every
// socket gets its own fill and completion ring: the kernel requires that when sockets share a UMEM
// across interfaces or queues. Control thread only; AfXdpPort owns the result.
using System.Runtime.InteropServices;
using FastBridge.Datapath.Interop;
using static FastBridge.Datapath.Interop.IfXdp;
using Tmds.Linux;

namespace FastBridge.Datapath.Xdp;

internal sealed unsafe class XskSocket : IDisposable
{
    public XskRing Fill;
    public XskRing Completion;
    public XskRing Rx;
    public XskRing Tx;

    private readonly Umem _umem;
    private bool _disposed;

    private XskSocket(int fd, Umem umem)
    {
        Fd = fd;
        _umem = umem;
    }

    public int Fd { get; }

    /// <summary>Whether the driver moves frames to and from the UMEM itself (XDP_ZEROCOPY) rather than the kernel copying them.</summary>
    public bool KernelZeroCopy { get; private set; }

    /// <summary>Whether the rings' need-wakeup flags are live (XDP_USE_NEED_WAKEUP was granted).</summary>
    public bool NeedWakeup { get; private set; }

    public static XskSocket Open(string name, int ifIndex, int queue, Umem umem, uint ringSize)
    {
        if (!System.Numerics.BitOperations.IsPow2(ringSize))
        {
            throw new ArgumentException($"AF_XDP ring size {ringSize}: must be a power of two", nameof(ringSize));
        }
        int fd = LibC.socket(AfXdp, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw Failure(name, queue, "socket(AF_XDP)", Privileges.RawSocketHint);
        }
        var socket = new XskSocket(fd, umem);
        try
        {
            socket.Setup(name, ifIndex, queue, ringSize);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        Unmap(ref Fill);
        Unmap(ref Completion);
        Unmap(ref Rx);
        Unmap(ref Tx);
        _umem.RemoveSocket(Fd);
        LibC.close(Fd);
    }

    private void Setup(string name, int ifIndex, int queue, uint ringSize)
    {
        int sharedFd = _umem.SharedFd;
        if (sharedFd < 0)
        {
            var reg = new UmemReg { Addr = (ulong)_umem.Base, Len = _umem.Length, ChunkSize = (uint)_umem.FrameSize };
            SetOption(name, queue, XdpUmemReg, &reg, (uint)sizeof(UmemReg), "XDP_UMEM_REG", errno => Privileges.MemlockHint(errno, _umem.Length));
        }
        SetOption(name, queue, XdpUmemFillRing, &ringSize, sizeof(uint), "XDP_UMEM_FILL_RING");
        SetOption(name, queue, XdpUmemCompletionRing, &ringSize, sizeof(uint), "XDP_UMEM_COMPLETION_RING");
        SetOption(name, queue, XdpRxRing, &ringSize, sizeof(uint), "XDP_RX_RING");
        SetOption(name, queue, XdpTxRing, &ringSize, sizeof(uint), "XDP_TX_RING");

        MmapOffsets offsets;
        socklen_t length = sizeof(MmapOffsets);
        if (LibC.getsockopt(Fd, SolXdp, XdpMmapOffsets, &offsets, &length) != 0)
        {
            throw Failure(name, queue, "getsockopt(XDP_MMAP_OFFSETS)");
        }
        nuint addressRing = (nuint)sizeof(ulong) * ringSize, descriptorRing = (nuint)sizeof(XdpDesc) * ringSize;
        Fill = MapRing(name, queue, offsets.Fr, XdpUmemPgoffFillRing, addressRing, ringSize, producerSide: true);
        Completion = MapRing(name, queue, offsets.Cr, XdpUmemPgoffCompletionRing, addressRing, ringSize, producerSide: false);
        Rx = MapRing(name, queue, offsets.Rx, XdpPgoffRxRing, descriptorRing, ringSize, producerSide: false);
        Tx = MapRing(name, queue, offsets.Tx, XdpPgoffTxRing, descriptorRing, ringSize, producerSide: true);

        // A socket sharing the UMEM may not pass mode flags: it inherits copy/zero-copy, need-wakeup and
        // multi-buffer from the first (the kernel keeps XDP_USE_SG as a flag of the UMEM).
        ushort modeFlags = (ushort)(XdpUseNeedWakeup | (_umem.MultiBuffer ? XdpUseSg : 0));
        var address = new SockaddrXdp
        {
            SxdpFamily = AfXdp,
            SxdpFlags = sharedFd < 0 ? modeFlags : XdpSharedUmem,
            SxdpIfindex = (uint)ifIndex,
            SxdpQueueId = (uint)queue,
            SxdpSharedUmemFd = sharedFd < 0 ? 0 : (uint)sharedFd,
        };
        if (LibC.bind(Fd, (sockaddr*)&address, sizeof(SockaddrXdp)) != 0)
        {
            throw Failure(name, queue, sharedFd >= 0 ? "bind (XDP_SHARED_UMEM)" : _umem.MultiBuffer ? "bind with XDP_USE_SG (multi-buffer, kernel 6.6+)" : "bind");
        }
        _umem.AddSocket(Fd);
        NeedWakeup = true;

        Options options;
        length = sizeof(Options);
        KernelZeroCopy = LibC.getsockopt(Fd, SolXdp, XdpOptions, &options, &length) == 0 && (options.Flags & XdpOptionsZeroCopy) != 0;
    }

    /// <summary>
    /// Whether this kernel knows XDP_USE_SG (6.6+), asked without touching any interface: bind checks its
    /// flags before it looks the interface up, so a bind to ifindex 0 fails EINVAL on a kernel without the
    /// flag and ENODEV on one with it. When not, <paramref name="why"/> says so, naming the errno.
    /// </summary>
    public static bool KernelHasMultiBuffer(out string why)
    {
        int fd = LibC.socket(AfXdp, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            why = $"socket(AF_XDP) failed: {LibcExtras.ErrnoText(Marshal.GetLastPInvokeError())}";
            return false;
        }
        var address = new SockaddrXdp { SxdpFamily = AfXdp, SxdpFlags = XdpUseSg, SxdpIfindex = 0 };
        int result = LibC.bind(fd, (sockaddr*)&address, sizeof(SockaddrXdp));
        int errno = result == 0 ? 0 : Marshal.GetLastPInvokeError();
        LibC.close(fd);
        why = errno == LibC.ENODEV ? "" : $"this kernel has no AF_XDP multi-buffer (bind with XDP_USE_SG: {LibcExtras.ErrnoText(errno)}; needs Linux 6.6+)";
        return errno == LibC.ENODEV;
    }

    private void SetOption(string name, int queue, int option, void* value, uint length, string what, Func<int, string>? hint = null)
    {
        if (LibC.setsockopt(Fd, SolXdp, option, value, length) != 0)
        {
            throw Failure(name, queue, $"setsockopt({what})", hint);
        }
    }

    private XskRing MapRing(string name, int queue, in RingOffset offsets, long pageOffset, nuint entriesLength, uint size, bool producerSide)
    {
        nuint length = (nuint)offsets.Desc + entriesLength;
        void* map = LibC.mmap(null, (size_t)length, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED | LibC.MAP_POPULATE, Fd, pageOffset);
        if (map == LibC.MAP_FAILED)
        {
            throw Failure(name, queue, $"mmap of the ring at page offset 0x{pageOffset:x}");
        }
        return XskRing.Create(map, length, offsets, size, producerSide);
    }

    private static void Unmap(ref XskRing ring)
    {
        if (ring.Map != null)
        {
            LibC.munmap(ring.Map, (size_t)ring.MapLength);
            ring = default;
        }
    }

    /// <summary>The failure of the call just made, naming its errno and, where <paramref name="hint"/> knows one, the remedy.</summary>
    private static InvalidOperationException Failure(string name, int queue, string step, Func<int, string>? hint = null)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new($"interface {name} queue {queue}: AF_XDP {step} failed: {LibcExtras.ErrnoText(errno)}{hint?.Invoke(errno)}");
    }
}
