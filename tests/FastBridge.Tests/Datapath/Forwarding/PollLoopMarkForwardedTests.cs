// The poll loop reports a port's received frames forwarded (what the fast path's drain counts) only once
// no port's transmit ring still holds a frame: a frame the kernel has not taken yet could still be
// overtaken by one the XDP program redirects.
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Ports;

namespace FastBridge.Tests.Datapath.Forwarding;

public sealed class PollLoopMarkForwardedTests
{
    private const ulong MacA = 0x02AA_0000_000A, MacB = 0x02AA_0000_000B;

    [Fact]
    public void MarkForwarded_TransmitRingHeld_ReportedOnlyOnceTheRingIsTaken()
    {
        using var a = new MemoryPort("a");
        using var b = new MemoryPort("b") { HoldTransmits = true };
        var loop = new PollLoop(0, -1, new PortSet([a, b], new PortStates(2)), new FdbTable(1024), 0, IdleMode.Busy);
        // Before the loop starts: MemoryPort's rings are not for two threads (an inject racing the loop's release of
        // its last burst lost a frame, and this test then waited in vain in two suite runs).
        for (int i = 0; i < 3; i++)
        {
            a.Inject(TestFrames.Numbered(i, 64, destination: MacB, source: MacA));
        }
        loop.Start();
        try
        {
            Assert.True(SpinWait.SpinUntil(() => b.Transmitted == 3, 2000));
            Thread.Sleep(100); // many iterations of the busy loop
            Assert.Equal(0, a.MarkedForwarded);

            b.HoldTransmits = false;
            Assert.True(SpinWait.SpinUntil(() => a.MarkedForwarded == 3, 2000));
        }
        finally
        {
            loop.Stop();
        }
    }
}
