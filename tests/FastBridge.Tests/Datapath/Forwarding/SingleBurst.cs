// One burst through a BatchForwarder over the given ports, without a poll loop: for backend tests that check
// what the forwarder holds back from a real port (frames too big for it, runts) and that each is counted once.
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Ports;

namespace FastBridge.Tests.Datapath.Forwarding;

internal static class SingleBurst
{
    /// <summary>Forwards <paramref name="batch"/>, received on port id <paramref name="ingress"/>, over ports 0..n-1 (all up, an empty FDB); returns the counters.</summary>
    public static LoopCounters Forward(FrameBatch batch, int ingress, params IPort[] ports)
    {
        var counters = new LoopCounters(ports.Length);
        var forwarder = new BatchForwarder(new FdbTable(64), new PortSet(ports, new PortStates(ports.Length)), counters, groupForwardMask: 0);
        forwarder.Process(batch, ingress, now: 1);
        return counters;
    }
}
