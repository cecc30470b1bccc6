// The libc calls, structs and constants FastBridge needs that Tmds.LibC 0.5.0 (Tmds.Linux.LibC, which
// serves everything else: socket, setsockopt, mmap, poll, sendto, ioctl, errno values...) does not
// have, and the two errno helpers every set-up path shares. Errno is read with
// Marshal.GetLastPInvokeError() right after a call (LibC.errno reads the same value). Pinned by
// InteropLayoutTests. Set-up code only; nothing here runs per burst.
using System.Runtime.InteropServices;
using Tmds.Linux;

namespace FastBridge.Datapath.Interop;

internal static unsafe partial class LibcExtras
{
    /// <summary>RLIMIT_MEMLOCK (sys/resource.h): Tmds.LibC 0.5.0 has no getrlimit.</summary>
    internal const int RlimitMemlock = 8;

    /// <summary>RLIM_INFINITY.</summary>
    internal const ulong RlimInfinity = ulong.MaxValue;

    /// <summary>struct rlimit; ours because Tmds.LibC 0.5.0 has neither it nor getrlimit.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Rlimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    /// <summary>Ours because Tmds.LibC 0.5.0 has no if_nametoindex (net/if.h).</summary>
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial uint if_nametoindex(string name);

    /// <summary>Ours because Tmds.LibC 0.5.0 has no getrlimit (sys/resource.h).</summary>
    [LibraryImport("libc", SetLastError = true)]
    internal static partial int getrlimit(int resource, Rlimit* limit);

    /// <summary>The errno text, e.g. "No such device (errno 19)", for set-up error messages.</summary>
    internal static string ErrnoText(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";

    /// <summary>Reads and clears a socket's pending error (SO_ERROR); 0 if none, or the errno of getsockopt itself.</summary>
    internal static int TakeSocketError(int fd)
    {
        int error = 0;
        socklen_t length = sizeof(int);
        return LibC.getsockopt(fd, LibC.SOL_SOCKET, LibC.SO_ERROR, &error, &length) == 0 ? error : Marshal.GetLastPInvokeError();
    }
}
