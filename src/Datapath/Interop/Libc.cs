// Plain libc calls: sockets, memory maps, poll, ioctl, affinity. One [LibraryImport] per
// native call, errno read with Marshal.GetLastPInvokeError() right after the call. Set-up code and the
// poll loops call these; nothing here allocates except the string marshalling of if_nametoindex.
using System.Runtime.InteropServices;

namespace FastBridge.Datapath.Interop;

internal static unsafe partial class Libc
{
    private const string Lib = "libc";

    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    internal const short PollIn = 0x001, PollErr = 0x008, PollHup = 0x010, PollNval = 0x020;

    // Address families and socket types (x86_64/arm64 Linux values, pinned by InteropLayoutTests).
    internal const int AfInet = 2;
    internal const int AfPacket = 17;
    internal const int SockRaw = 3;
    internal const int SockDgram = 2;
    internal const int SockCloexec = 0x80000;

    internal const int SolSocket = 1;
    internal const int SoError = 4;
    internal const int SoRcvbufForce = 33;

    internal const int MsgDontwait = 0x40;

    internal const int ProtRead = 0x1, ProtWrite = 0x2;
    internal const int MapShared = 0x01, MapPopulate = 0x8000;
    internal static readonly void* MapFailed = (void*)-1;

    // errno values used by name.
    internal const int Eintr = 4, Enxio = 6, Ebadf = 9, Eagain = 11, Enodev = 19, Einval = 22;
    internal const int Eopnotsupp = 95, Enetdown = 100, Enobufs = 105;

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int socket(int domain, int type, int protocol);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int close(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int bind(int fd, void* addr, uint addrLen);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int setsockopt(int fd, int level, int name, void* value, uint valueLen);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int getsockopt(int fd, int level, int name, void* value, uint* valueLen);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial void* mmap(void* addr, nuint length, int prot, int flags, int fd, nint offset);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int munmap(void* addr, nuint length);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int poll(PollFd* fds, nuint nfds, int timeout);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint sendto(int fd, void* buf, nuint len, int flags, void* addr, uint addrLen);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint recvfrom(int fd, void* buf, nuint len, int flags, void* addr, uint* addrLen);

    /// <summary>ioctl is variadic in C; every request used here passes one pointer, which the x86_64 and arm64 ABIs pass like a fixed argument.</summary>
    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int ioctl(int fd, nuint request, void* arg);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial uint if_nametoindex(string name);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int sched_setaffinity(int pid, nuint cpuSetSize, void* mask);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int sched_getaffinity(int pid, nuint cpuSetSize, void* mask);

    /// <summary>The errno text, e.g. "No such device (19)", for set-up error messages.</summary>
    internal static string ErrnoText(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";

    /// <summary>Reads and clears a socket's pending error (SO_ERROR); 0 if none, or the errno of getsockopt itself.</summary>
    internal static int TakeSocketError(int fd)
    {
        int error = 0;
        uint length = sizeof(int);
        return getsockopt(fd, SolSocket, SoError, &error, &length) == 0 ? error : Marshal.GetLastPInvokeError();
    }
}
