// GRO on a lab host's end of a veth pair, set inside the host's namespace (InterfaceGro). With GRO on,
// that end has a NAPI context, which is what lets the kernel deliver the XDP frames FastBridge's fast
// path redirects to the switch's end of the pair (README, "The XDP fast path"). Set-up threads only.
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Ports;
using Microsoft.Win32.SafeHandles;

namespace FastBridge.ControlPlane.Lab;

internal static class HostGro
{
    /// <summary>Turns GRO on or off on <paramref name="ifName"/> in <paramref name="netns"/>; throws naming both and the errno.</summary>
    public static void Set(string netns, string ifName, bool on)
    {
        using SafeFileHandle handle = Namespaces.OpenNamed(netns);
        int errno = InterfaceGro.Write(handle, $"network namespace {netns}", ifName, on);
        if (errno != 0)
        {
            throw new InvalidOperationException($"{ifName} in {netns}: cannot turn GRO {(on ? "on" : "off")}: {LibcExtras.ErrnoText(errno)}");
        }
    }
}
