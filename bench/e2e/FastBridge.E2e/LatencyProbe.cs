// The latency probe: a raw socket in the sink's namespace bound to the probe ethertype only, so the
// kernel hands it the marked frames and nothing else. Latency is the kernel's receive timestamp
// at the sink (SIOCGSTAMPNS, taken when the veth hands the frame to the sink's stack) minus the
// generator's stamp just before it handed the burst to the kernel: generator send path, switch and
// sink veth, not the probe's own wake-up. Both clocks are this machine's CLOCK_REALTIME.
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using FastBridge.ControlPlane.Lab;
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Ports;
using FastBridge.Testing.Frames;
using FastBridge.Testing.Traffic;
using Tmds.Linux;
using static FastBridge.Datapath.Interop.IfPacket;

namespace FastBridge.E2e;

internal sealed unsafe class LatencyProbe
{
    // SIOCGSTAMPNS_OLD (asm-generic/sockios.h): the struct timespec of the last frame read. The first
    // call turns receive timestamps on (SOCK_TIMESTAMP); SO_TIMESTAMPNS must stay off, as it moves the
    // stamp into a control message and leaves the one this ioctl reads unset (sock_recv_cmsgs).
    private const int SiocGstampns = 0x8907;

    private readonly long[] _samples = new long[1 << 20];

    private int _count;
    private volatile bool _stop;
    private Task? _task;

    /// <summary>Starts receiving on its own thread in <paramref name="ns"/>, pinned to <paramref name="cpu"/>; returns once the socket is bound.</summary>
    public void Start(string ns, string ifName, int cpu)
    {
        using var bound = new ManualResetEventSlim();
        Exception? failure = null;
        _task = Task.Run(() => Namespaces.RunIn(ns, () =>
        {
            int fd = -1;
            try
            {
                CpuAffinity.TryPinCurrentThread(cpu);
                fd = Open(ifName);
            }
            catch (Exception ex)
            {
                failure = ex;
                return;
            }
            finally
            {
                bound.Set();
            }
            try
            {
                Receive(fd);
            }
            finally
            {
                LibC.close(fd);
            }
        }));
        bound.Wait();
        if (failure is not null)
        {
            throw failure;
        }
    }

    /// <summary>Stops and returns the latencies in ns, sorted.</summary>
    public long[] Stop()
    {
        _stop = true;
        _task?.Wait();
        long[] samples = _samples.AsSpan(0, _count).ToArray();
        Array.Sort(samples);
        return samples;
    }

    private static int Open(string ifName)
    {
        ushort protocol = BinaryPrimitives.ReverseEndianness(FramePlan.ProbeType);
        int fd = LibC.socket(LibC.AF_PACKET, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, protocol);
        if (fd < 0)
        {
            throw new InvalidOperationException($"latency probe: socket: {LibcExtras.ErrnoText(Marshal.GetLastPInvokeError())}");
        }
        int buffer = 16 << 20;
        var address = new sockaddr_ll { sll_family = (ushort)LibC.AF_PACKET, sll_protocol = protocol, sll_ifindex = (int)LibcExtras.if_nametoindex(ifName) };
        Generator.Timespec unused;
        _ = LibC.ioctl(fd, SiocGstampns, &unused); // ENOENT (nothing read yet), but timestamps are on from here
        if (LibC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, &buffer, sizeof(int)) != 0
            || LibC.bind(fd, (sockaddr*)&address, sizeof(sockaddr_ll)) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            LibC.close(fd);
            throw new InvalidOperationException($"latency probe on {ifName}: {LibcExtras.ErrnoText(errno)}");
        }
        return fd;
    }

    private void Receive(int fd)
    {
        byte* frame = stackalloc byte[2048];
        var pollFd = new pollfd { fd = fd, events = LibC.POLLIN };
        while (true)
        {
            int ready = LibC.poll(&pollFd, 1, 20);
            if (ready <= 0)
            {
                if (_stop)
                {
                    return; // drained: nothing arrived for 20 ms after Stop
                }
                continue;
            }
            long length = LibC.recvfrom(fd, frame, 2048, LibC.MSG_DONTWAIT, null, null);
            Generator.Timespec stamp;
            if (length < FramePlan.TimestampOffset + 8 || LibC.ioctl(fd, SiocGstampns, &stamp) != 0 || _count == _samples.Length)
            {
                continue;
            }
            long sent = BinaryPrimitives.ReadInt64LittleEndian(new ReadOnlySpan<byte>(frame + FramePlan.TimestampOffset, 8));
            _samples[_count++] = stamp.Seconds * 1_000_000_000 + stamp.Nanoseconds - sent;
        }
    }
}
