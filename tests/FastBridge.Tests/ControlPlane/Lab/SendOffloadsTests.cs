// SendOffloads on a lab host's end of a veth pair, inside its namespace as the lab runs it.
using FastBridge.ControlPlane.Lab;
using FastBridge.Datapath.Ports;
using FastBridge.Tests.Datapath.Ports;

namespace FastBridge.Tests.ControlPlane.Lab;

public sealed class SendOffloadsTests
{
    [Fact]
    public void Disable_InsideNamespace_TurnsTsoGsoAndTxChecksumOff()
    {
        using VethLab lab = VethLab.Create();
        uint tso = 1, gso = 1, csum = 1;
        Namespaces.RunIn(lab.Netns, () =>
        {
            PortOffloadsTests.SetFeature(lab.Peer, SendOffloads.SGso, 1);
            SendOffloads.Disable(lab.Peer);
            tso = PortOffloadsTests.ReadFeature(lab.Peer, SendOffloads.GTso);
            gso = PortOffloadsTests.ReadFeature(lab.Peer, SendOffloads.GGso);
            csum = PortOffloadsTests.ReadFeature(lab.Peer, SendOffloads.GTxCsum);
        });
        Assert.Equal((0u, 0u, 0u), (tso, gso, csum));
    }
}
