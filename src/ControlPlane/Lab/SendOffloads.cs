// Send offloads off on a lab host's end of a veth pair: TSO, GSO and TX checksum, since a real NIC
// never hands a raw socket GSO frames or frames with unfinished checksums. Lab-only, so it lives here
// and not beside the switch's own receive offloads (Datapath/Ports/PortOffloads). Set-up threads only;
// works inside Namespaces.RunIn.
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Ports;
using Tmds.Linux;

namespace FastBridge.ControlPlane.Lab;

internal static class SendOffloads
{
    // ethtool commands (uapi/linux/ethtool.h), pinned by InteropLayoutTests.
    internal const uint GTxCsum = 0x16, STxCsum = 0x17;
    internal const uint GTso = 0x1e, STso = 0x1f;
    internal const uint GGso = 0x23, SGso = 0x24;

    /// <summary>Turns TSO, GSO and TX checksum offload off on <paramref name="ifName"/>; a device without one of them is fine.</summary>
    public static void Disable(string ifName)
    {
        int fd = PortOffloads.OpenControl(ifName);
        try
        {
            PortOffloads.TurnOff(fd, ifName, GTso, STso, "TSO");
            PortOffloads.TurnOff(fd, ifName, GGso, SGso, "GSO");
            PortOffloads.TurnOff(fd, ifName, GTxCsum, STxCsum, "TX checksum offload");
        }
        finally
        {
            LibC.close(fd);
        }
    }
}
