// AfXdpPorts driven by the real poll loop and forwarder, as the bridge will drive them: a broadcast
// floods to the two other ports (one by descriptor, one by copy), a unicast to a learned address
// leaves on its port only, the idle loop sleeps in poll(2) on the XDP sockets and wakes for frames,
// and after a stop every UMEM frame is free or in a fill ring.
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Ports;
using FastBridge.Tests.Datapath.Ports;

namespace FastBridge.Tests.Datapath.Forwarding;

public sealed class AfXdpPollLoopTests
{
    private const ulong MacA = 0x02AA_0000_000A, MacB = 0x02AA_0000_000B, Broadcast = 0xFFFF_FFFF_FFFF;

    [Fact]
    public void PollLoop_FloodThenLearnedUnicast_DeliveredAndAccountingReturns()
    {
        using var lab = new XdpPortLab(3);
        var ports = new PortSet(lab.Ports.ToArray<IPort>(), new PortStates(3));
        var loop = new PollLoop(0, -1, ports, new FdbTable(1024), 0, IdleMode.Block);
        RawSocket[] far = lab.Peers.Select(peer => lab.Lab.OpenPeer(peer)).ToArray();
        loop.Start();
        try
        {
            Thread.Sleep(300); // long enough for the loop to go idle and block in poll(2)
            byte[] flood = TestFrames.Numbered(1, 120, destination: Broadcast, source: MacB);
            far[1].Send(flood);
            Assert.Equal(flood, far[0].ReceiveTest(2000));
            Assert.Equal(flood, far[2].ReceiveTest(2000));

            byte[] unicast = TestFrames.Numbered(2, 200, destination: MacB, source: MacA);
            far[0].Send(unicast);
            Assert.Equal(unicast, far[1].ReceiveTest(2000));
            Assert.Null(far[2].ReceiveTest(300));
        }
        finally
        {
            loop.Stop();
            foreach (RawSocket socket in far)
            {
                socket.Dispose();
            }
        }

        // Link chatter (IPv6 from the host ends) is forwarded too, so at least our two frames went by descriptor.
        Assert.True(lab.Ports.Aggregate(0UL, (sum, p) => sum + p.ZeroCopyTransmits) >= 2);
        Assert.True(lab.Ports.Aggregate(0UL, (sum, p) => sum + p.CopiedTransmits) >= 1);
        Assert.True(lab.Quiesce());
        lab.AssertAccountingAtRest();
    }
}
