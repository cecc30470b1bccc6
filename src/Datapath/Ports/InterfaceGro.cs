// An interface's GRO flag read or set with the ethtool ioctl, in our namespace or inside another one
// (on NamespaceThread: the control socket must be opened there, as ioctls name interfaces of the
// socket's namespace; neither ethtool netlink nor rtnetlink reads the flag of another namespace's
// interface without entering it). The fast path reads a veth peer's flag with it (FastPathEgress); the lab turns it on at
// its hosts' ends (HostGro). Set-up and tick threads.
using FastBridge.Datapath.Interop;
using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

namespace FastBridge.Datapath.Ports;

internal static class InterfaceGro
{
    /// <summary>
    /// Whether GRO is on at <paramref name="ifName"/> in <paramref name="netns"/> (ours when null; <paramref name="where"/>
    /// names it in errors, as NamespaceThread.Run's description). 0 or ethtool's errno; throws when the namespace cannot be entered.
    /// </summary>
    public static int Read(SafeFileHandle? netns, string where, string ifName, out bool on)
    {
        uint value = 0;
        int errno = InNamespace(netns, where, ifName, fd => Ethtool.Get(fd, ifName, Ethtool.GGro, out value));
        on = errno == 0 && value != 0;
        return errno;
    }

    /// <summary>Turns GRO on or off at <paramref name="ifName"/>, as Read finds it. 0 or ethtool's errno; throws when the namespace cannot be entered.</summary>
    public static int Write(SafeFileHandle? netns, string where, string ifName, bool on) =>
        InNamespace(netns, where, ifName, fd => Ethtool.Set(fd, ifName, Ethtool.SGro, on ? 1u : 0u));

    /// <summary>One ethtool request on a control socket opened in the namespace; its errno.</summary>
    private static int InNamespace(SafeFileHandle? netns, string where, string ifName, Func<int, int> request)
    {
        int errno = 0;
        void Run()
        {
            int fd = PortOffloads.OpenControl(ifName);
            try
            {
                errno = request(fd);
            }
            finally
            {
                LibC.close(fd);
            }
        }
        if (netns is null)
        {
            Run();
        }
        else
        {
            NamespaceThread.Shared.Run(netns, where, Run);
        }
        return errno;
    }
}
