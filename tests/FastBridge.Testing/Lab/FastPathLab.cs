// GRO on a lab host's end of a veth pair, inside its namespace: what lets the kernel deliver XDP frames
// redirected to the switch's end (the host end then has a NAPI context to receive them on).
using FastBridge.ControlPlane.Lab;
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Ports;

namespace FastBridge.Testing.Lab;

internal static class FastPathLab
{
    public static void GroOn(string netns, string ifName) => SetGro(netns, ifName, on: true);

    public static void GroOff(string netns, string ifName) => SetGro(netns, ifName, on: false);

    private static void SetGro(string netns, string ifName, bool on) => Namespaces.RunIn(netns, () =>
    {
        int fd = PortOffloads.OpenControl(ifName);
        try
        {
            int errno = Ethtool.Set(fd, ifName, Ethtool.SGro, on ? 1u : 0u);
            if (errno != 0)
            {
                throw new InvalidOperationException($"{ifName} in {netns}: cannot turn GRO {(on ? "on" : "off")}: {Libc.ErrnoText(errno)}");
            }
        }
        finally
        {
            Libc.close(fd);
        }
    });
}
