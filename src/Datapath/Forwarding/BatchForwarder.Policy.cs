// Flooding when a port of the table has flags other than the defaults (PortPolicyTable): the flood list
// of the frame's class, worked out when the flags changed, less the ingress port unless it is hairpin, less
// every isolated port when the ingress port is isolated (br_forward.c's br_flood and should_deliver).
// The plain path in BatchForwarder.cs stays as it was, so a table with default flags pays nothing here.
using FastBridge.Datapath.Ports;

namespace FastBridge.Datapath.Forwarding;

public sealed partial class BatchForwarder
{
    private void FloodByPolicy(FrameBatch batch, int frame, int ingress, FloodClass kind)
    {
        PortSet ports = _ports;
        PortPolicyTable policy = ports.Policy;
        foreach (int port in policy.FloodTargets(kind))
        {
            if (policy.MayDeliver(ingress, port) && ports.IsUp(port))
            {
                Enqueue(batch, frame, port);
            }
        }
    }
}
