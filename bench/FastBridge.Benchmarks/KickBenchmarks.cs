// The per-burst libc calls of the poll loops, through Tmds.LibC (what src/ calls) and through a
// [LibraryImport] of our own (what src/ called before, declared here only as the baseline): sendto
// (the AF_XDP TX kick), recvfrom (the fill-ring wakeup) and poll. All on an unbound AF_INET datagram
// socket, so each call is one cheap syscall that fails the same way on both sides (EDESTADDRREQ,
// EAGAIN, nothing ready): the difference is the marshalling stub, not the kernel.
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Tmds.Linux;

namespace FastBridge.Benchmarks;

public unsafe partial class KickBenchmarks
{
    private int _fd = -1;

    [GlobalSetup]
    public void Setup() => _fd = LibC.socket(LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);

    [GlobalCleanup]
    public void Cleanup() => LibC.close(_fd);

    [Benchmark(Baseline = true, Description = "sendto kick, LibraryImport")]
    public nint SendtoOwn() => OwnSendto(_fd, null, 0, LibC.MSG_DONTWAIT, null, 0);

    [Benchmark(Description = "sendto kick, Tmds.LibC")]
    public long SendtoTmds() => LibC.sendto(_fd, null, 0, LibC.MSG_DONTWAIT, null, 0);

    [Benchmark(Description = "recvfrom wakeup, LibraryImport")]
    public nint RecvfromOwn() => OwnRecvfrom(_fd, null, 0, LibC.MSG_DONTWAIT, null, null);

    [Benchmark(Description = "recvfrom wakeup, Tmds.LibC")]
    public long RecvfromTmds() => LibC.recvfrom(_fd, null, 0, LibC.MSG_DONTWAIT, null, null);

    [Benchmark(Description = "poll 1 fd, LibraryImport")]
    public int PollOwn()
    {
        var fd = new pollfd { fd = _fd, events = LibC.POLLIN };
        return OwnPoll(&fd, 1, 0);
    }

    [Benchmark(Description = "poll 1 fd, Tmds.LibC")]
    public int PollTmds()
    {
        var fd = new pollfd { fd = _fd, events = LibC.POLLIN };
        return LibC.poll(&fd, 1, 0);
    }

    [LibraryImport("libc", EntryPoint = "sendto", SetLastError = true)]
    private static partial nint OwnSendto(int fd, void* buf, nuint len, int flags, void* addr, uint addrLen);

    [LibraryImport("libc", EntryPoint = "recvfrom", SetLastError = true)]
    private static partial nint OwnRecvfrom(int fd, void* buf, nuint len, int flags, void* addr, uint* addrLen);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int OwnPoll(pollfd* fds, nuint nfds, int timeout);
}
