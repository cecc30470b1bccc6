// The forwarder's port policy paths, taken only when a port has a policy other than the default
// (PortPolicyTable), so the plain path in BatchForwarder.cs costs what it did:
// - flooding by the frame's class list, worked out when the policies changed, less the ingress port
//   unless hairpin, less every isolated port when the ingress port is isolated (br_forward.c's
//   br_flood and should_deliver);
// - BPDU guard: an STP BPDU received on a port with bpdu_guard takes the port down (PolicyShutdown);
// - storm control: a flooded frame over its ingress port's rate for its class (StormWindows) is dropped;
// - learning under a MAC limit: a source new to the port needs room (LearnAllowances), else it is not
//   learned (its frame still forwards), counted, and with action shutdown the port is taken down.
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Frames;
using FastBridge.Datapath.Ports;

namespace FastBridge.Datapath.Forwarding;

public sealed partial class BatchForwarder
{
    /// <summary>Storm control's windows for this loop, made with the forwarder.</summary>
    private readonly StormWindows _storm;

    /// <summary>The current burst's time (FdbClock seconds), for storm control.</summary>
    private uint _now;

    private void FloodByPolicy(FrameBatch batch, int frame, int ingress, FloodClass kind, ref PortCounters rx)
    {
        PortSet ports = _ports;
        PortPolicyTable policy = ports.Policy;
        if (kind == FloodClass.Multicast && (policy.Of(ingress).Flags & PortFlags.BpduGuard) != 0 && IsStpBpdu(batch[frame]))
        {
            ports.States.MarkDown(ingress, PolicyShutdown.BpduGuard);
            return;
        }
        int rate = policy.Of(ingress).StormRate(kind);
        if (rate > 0 && !_storm.Admit(ingress, kind, rate, _now))
        {
            rx.Drops[(int)DropReason.StormControl]++;
            return;
        }
        rx.Floods++;
        VlanMembership? vlans = _vlans;
        EgressForms forms = vlans is null ? default : _vlanFrames.FormsOf(batch[frame]);
        ReadOnlySpan<VlanEgress> tagging = vlans is null ? default : vlans.EgressOf(forms.Vlan);
        int sentAs = 0;
        foreach (int port in policy.FloodTargets(kind))
        {
            if (!policy.MayDeliver(ingress, port) || !ports.IsUp(port))
            {
                continue;
            }
            if (vlans is null)
            {
                Enqueue(batch, frame, port);
            }
            else if (tagging[port] != VlanEgress.NotMember) // the class's targets cut down to the frame's VLAN's members
            {
                if (!forms.TryGet(tagging[port], out VlanTag form))
                {
                    _counters.Ports[port].Drops[(int)DropReason.VlanFiltered]++;
                    continue;
                }
                sentAs |= 1 << (int)tagging[port];
                batch[frame].SetStrippedTag(form);
                EnqueueInForm(batch, frame, port);
            }
        }
        KeepForRetag(frame, sentAs, forms);
    }

    /// <summary>Addressed to 01:80:C2:00:00:00, the STP group (a group frame here is flooded only while STP is not punted).</summary>
    private static bool IsStpBpdu(in FrameRef frame) => EthernetFrame.TryParse(frame.Bytes, out EthernetFrame ethernet) && ethernet.Destination == StpGroup;

    private const ulong StpGroup = 0x0180_C200_0000UL;

    /// <summary>
    /// Zeroes the source keys (LearnBatch skips 0) that would be new on <paramref name="ingress"/> once it has
    /// no room left. Sources already learned there only refresh and need none; a source repeated in the burst
    /// takes room once. Uses _destinationPorts as scratch: the destination lookup that fills it comes later.
    /// </summary>
    private void HoldBackOverLimit(int valid, int ingress, PortPolicyTable policy, ref PortCounters rx)
    {
        Span<ulong> sources = _sourceKeys.AsSpan(0, valid);
        Span<int> where = _destinationPorts.AsSpan(0, valid);
        _fdb.LookupBatch(sources, where);
        LearnAllowances room = _ports.States.Learning;
        for (int j = 0; j < valid; j++)
        {
            if (where[j] == ingress || sources[..j].Contains(sources[j]) || (!room.Exhausted(ingress) && room.TryGrant(ingress)))
            {
                continue;
            }
            sources[j] = 0;
            rx.FdbLimitHits++;
            if (policy.Of(ingress).LimitAction == MacLimitAction.Shutdown)
            {
                _ports.States.MarkDown(ingress, PolicyShutdown.MacLimit);
            }
        }
    }
}
