// BPDU guard (the bpdu_guard port flag): an STP BPDU on a guarded port takes the port down with its
// reason and goes nowhere; other multicast, and BPDUs on unguarded ports, flood as before.
using FastBridge.Datapath.Forwarding;

namespace FastBridge.Tests.Datapath.Forwarding;

public sealed partial class BatchForwarderTests
{
    [Fact]
    public void Process_BpduOnGuardedPort_PortDownWithItsReason_NotForwarded()
    {
        SetFlags(0, PortFlags.Default | PortFlags.BpduGuard);
        byte[] group = Frame("01:00:5e:00:00:01", A);
        Forward(0, group);
        AssertReceivedBy(group, 1, 2, 3);
        byte[] bpdu = TestFrames.StpBpdu(TestFrames.Mac(A), TestFrames.Marker("guarded"));
        Forward(0, bpdu);

        AssertReceivedBy(null);
        Assert.False(_states.IsUp(0));
        Assert.Equal(PolicyShutdown.BpduGuard, _states.Errno(0));
        Forward(1, bpdu);
        AssertReceivedBy(bpdu, 2, 3);
    }
}
