// What PortOpener puts on an AF_PACKET port when the fast path runs: the fast-path program, except on a
// VLAN-aware bridge, where a tag the kernel keeps in metadata would be invisible to it.
using FastBridge.ControlPlane.Switch;
using FastBridge.Datapath.Frames;
using FastBridge.Datapath.Ports;
using FastBridge.Datapath.Xdp;
using FastBridge.Testing.Lab;

namespace FastBridge.Tests.ControlPlane.Switch;

public sealed class PortOpenerTests : IDisposable
{
    private readonly VethLab _lab = new();

    public void Dispose() => _lab.Dispose();

    [Theory]
    [InlineData(0, "; fast path from it (")]
    [InlineData(VlanTag.CustomerTpid, "; no fast path from it (VLAN filtering")]
    public void Prepare_AfPacketWithFastPath_ProgramOnlyWhenVlanUnaware(ushort vlanTpid, string expected)
    {
        (string port, _) = _lab.AddVeth("p0");
        using FastPathMaps maps = FastPathMaps.Create(1024, 64, vlanTpid);
        using var opener = new PortOpener(BackendKind.AfPacket, XdpAttachMode.Auto, workers: 1, fastPath: maps);

        string chosen = opener.Prepare(NetInterface.Inspect(port));

        Assert.StartsWith("afpacket", chosen);
        Assert.Contains(expected, chosen);
    }
}
