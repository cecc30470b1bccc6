// GRO on a lab host's end of a veth pair, set inside the host's namespace with the ethtool ioctl. With
// GRO on, that end has a NAPI context, which is what lets the kernel deliver the XDP frames FastBridge's
// fast path redirects to the switch's end of the pair (README, "The XDP fast path"). Set-up threads only.
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Ports;
using Tmds.Linux;

namespace FastBridge.ControlPlane.Lab;

internal static class HostGro
{
    /// <summary>Turns GRO on or off on <paramref name="ifName"/> in <paramref name="netns"/>; throws naming both and the errno.</summary>
    public static void Set(string netns, string ifName, bool on) => Namespaces.RunIn(netns, () =>
    {
        int fd = PortOffloads.OpenControl(ifName);
        try
        {
            int errno = Ethtool.Set(fd, ifName, Ethtool.SGro, on ? 1u : 0u);
            if (errno != 0)
            {
                throw new InvalidOperationException($"{ifName} in {netns}: cannot turn GRO {(on ? "on" : "off")}: {LibcExtras.ErrnoText(errno)}");
            }
        }
        finally
        {
            LibC.close(fd);
        }
    });
}
