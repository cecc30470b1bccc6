// The 802.1D forwarding decision for one burst from one ingress port, in separate passes as VPP
// does: validate and extract keys, learn all sources, look up all destinations, then build one
// transmit list per egress port and hand each port its list in one call. One instance per poll
// loop; scratch arrays are allocated once here, so Process allocates nothing. The port table is
// the one the loop read at the start of its iteration (Ports), so a burst sees one table throughout.
// With control-plane queues (ControlFrameQueues), group frames to a punted destination are copied to
// the control plane instead of being forwarded, and frames it injects leave through the same transmit
// lists and counters as forwarded ones. While the table carries VLAN membership (PortSet.Vlans), VlanClassifier
// gives each frame its VLAN on ingress, floods go to the VLAN's members only, and each egress port's tag is set
// as the frame is queued for it (one lookup, VlanMembership.EgressOf, says whether the port is a member and which
// tag it sends; a flood walks the members that send the VLAN untagged, then those that send it tagged, and sets the
// tag once for each), and again just before its Transmit only where a flood left with more than one tag. Port flags
// (learning, flooding, isolation, hairpin) come with the table; floods under flags other than the defaults take
// BatchForwarder.Policy.cs, and port mirrors (copies of a port's received or sent frames) BatchForwarder.Mirror.cs.
using System.Runtime.CompilerServices;
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Frames;
using FastBridge.Datapath.Ports;

namespace FastBridge.Datapath.Forwarding;

public sealed unsafe partial class BatchForwarder
{
    private readonly FdbTable _fdb;
    private PortSet _ports;
    private readonly LoopCounters _counters;
    private readonly ushort _groupForwardMask;
    private readonly ControlFrameQueues? _control;

    // Per frame of the burst, for the frames that passed validation.
    private readonly int[] _valid;
    private readonly ulong[] _sourceKeys;
    private readonly ulong[] _destinationKeys;
    private readonly int[] _destinationPorts;

    // Per egress port: frame indices to send, laid out [port * batchCapacity + n].
    private readonly int[] _txIndices;
    private readonly int[] _txCounts;
    private readonly int _batchCapacity;

    // Frames taken from the control plane's Injected ring, and the port of each.
    private readonly FrameBatch? _injected;
    private readonly int[] _injectedPorts;

    // VLAN-aware mode: the classifier of the burst's frames; the table's membership while Process forwards a burst, else null;
    // whether a frame of the burst was flooded to ports that send its VLAN with different tags (SetEgressTags).
    private readonly VlanClassifier _vlanFrames;
    private VlanMembership? _vlans;
    private bool _retag;

    public BatchForwarder(FdbTable fdb, PortSet ports, LoopCounters counters, ushort groupForwardMask,
        int batchCapacity = Bursts.DefaultFrames, ControlFrameQueues? control = null)
    {
        _fdb = fdb;
        _ports = ports;
        _counters = counters;
        _groupForwardMask = groupForwardMask;
        _batchCapacity = batchCapacity;
        _valid = new int[batchCapacity];
        _sourceKeys = new ulong[batchCapacity];
        _destinationKeys = new ulong[batchCapacity];
        _destinationPorts = new int[batchCapacity];
        _txIndices = new int[ports.Capacity * batchCapacity];
        _txCounts = new int[ports.Capacity];
        _storm = new StormWindows(ports.Capacity);
        _control = control;
        _injected = control is null ? null : new FrameBatch(batchCapacity);
        _injectedPorts = new int[control is null ? 0 : batchCapacity];
        _vlanFrames = new VlanClassifier(batchCapacity);
        _mirrorIndices = new int[2 * batchCapacity];
    }

    /// <summary>The port table bursts are forwarded over; set by the owning loop between bursts. Same capacity as the first.</summary>
    public PortSet Ports
    {
        get => _ports;
        set
        {
            if (value.Capacity > _txCounts.Length)
            {
                throw new ArgumentException($"port table capacity {value.Capacity} exceeds the forwarder's {_txCounts.Length}");
            }
            _ports = value;
        }
    }

    /// <summary>Forwards every frame of <paramref name="batch"/>, received on port <paramref name="ingress"/>.</summary>
    public void Process(FrameBatch batch, int ingress, uint now)
    {
        _vlans = _ports.Vlans;
        if (_vlans is not null)
        {
            _vlanFrames.Begin(_vlans, ingress);
        }
        Forward(batch, ingress, now);
        _vlans = null; // on every way out: TransmitInjected, between bursts, queues frames as they are
    }

    private void Forward(FrameBatch batch, int ingress, uint now)
    {
        ref PortCounters rx = ref _counters.Ports[ingress];
        if (_ports.Mirrors is { } mirrors && MirrorReceived(batch, ingress, mirrors, ref rx))
        {
            return;
        }
        int valid = Validate(batch, ingress, ref rx);
        if (valid == 0)
        {
            return;
        }

        _now = now;
        PortPolicyTable policy = _ports.Policy;
        bool isolating = policy.IsIsolated(ingress);
        if (policy.Learns(ingress))
        {
            if (policy.LimitsLearning(ingress))
            {
                HoldBackOverLimit(valid, ingress, policy, ref rx);
            }
            _fdb.LearnBatch(_sourceKeys.AsSpan(0, valid), ingress, now, ref _counters.Fdb, _counters.Moves);
        }
        _fdb.LookupBatch(_destinationKeys.AsSpan(0, valid), _destinationPorts.AsSpan(0, valid));
        PuntDestinations punts = _control?.Destinations ?? PuntDestinations.None;
        bool punting = !punts.IsEmpty;
        VlanMembership? vlans = _vlans;
        VlanEgress tagging = default; // how the unicast egress port sends the frame's VLAN: read by the filter, used to enqueue

        for (int j = 0; j < valid; j++)
        {
            int frame = _valid[j];
            ulong key = _destinationKeys[j];
            ulong destination = FdbKey.Mac(key);
            if (MacAddress.IsGroup(destination))
            {
                if (punting && punts.Contains(destination))
                {
                    Punt(batch[frame], ingress);
                    continue;
                }
                // 01:80:C2:00:00:00 (STP) floods while we run no STP, as the Linux bridge does;
                // 01-0F stay on their link unless the group forward mask opens them.
                if (MacAddress.IsLinkLocal(destination, out int low) && low != 0 && (_groupForwardMask & (1 << low)) == 0)
                {
                    rx.Drops[(int)DropReason.LinkLocal]++;
                    continue;
                }
                Flood(batch, frame, ingress, ref rx, destination == MacAddress.Broadcast ? FloodClass.Broadcast : FloodClass.Multicast);
                continue;
            }

            int egress = _destinationPorts[j];
            if (egress == FdbTable.Miss || !_ports.IsUp(egress))
            {
                Flood(batch, frame, ingress, ref rx, FloodClass.UnknownUnicast);
            }
            else if (egress == ingress && !policy.IsHairpin(ingress))
            {
                rx.Drops[(int)DropReason.SamePort]++;
            }
            else if (vlans is not null && (tagging = vlans.EgressOf(FdbKey.VlanId(key))[egress]) == VlanEgress.NotMember)
            {
                rx.Drops[(int)DropReason.VlanFiltered]++; // a static entry on a port that left the VLAN (br_allowed_egress)
            }
            else if (isolating && policy.IsIsolated(egress))
            {
                rx.Drops[(int)DropReason.Isolated]++;
            }
            else if (vlans is not null)
            {
                EnqueueTagged(batch, frame, egress, tagging);
            }
            else
            {
                Enqueue(batch, frame, egress);
            }
        }

        TransmitQueued(batch);
    }

    /// <summary>
    /// Sends what the control plane injected since the last call (up to a burst), through the transmit lists
    /// as forwarded frames go; returns how many frames were taken. Called by the owning loop between bursts.
    /// </summary>
    public int TransmitInjected()
    {
        if (_control is null || _control.Injected.Count == 0)
        {
            return 0;
        }
        FrameBatch batch = _injected!;
        batch.Clear();
        int taken = _control.Injected.Peek(batch, _injectedPorts);
        for (int i = 0; i < taken; i++)
        {
            int egress = _injectedPorts[i];
            if (_ports.IsUp(egress))
            {
                Enqueue(batch, i, egress);
            }
        }
        int sent = TransmitQueued(batch);
        _control.Injected.Release(taken);
        _counters.Punts.Injected += (ulong)sent;
        _counters.Punts.InjectDropped += (ulong)(taken - sent);
        return taken;
    }

    /// <summary>Counts every frame received and keeps the ones that may be forwarded; returns how many.</summary>
    private int Validate(FrameBatch batch, int ingress, ref PortCounters rx)
    {
        VlanMembership? vlans = _vlans;
        VlanClassifier classifier = _vlanFrames;
        int valid = 0;
        for (int i = 0; i < batch.Count; i++)
        {
            ref FrameRef frame = ref batch[i];
            rx.RxPackets++;
            rx.RxBytes += (ulong)frame.WireLength;
            if (!EthernetFrame.TryParse(frame.Bytes, out EthernetFrame ethernet))
            {
                rx.Drops[(int)DropReason.Runt]++;
                continue;
            }
            // Both MACs now: the view reads the bytes it was made over, and classifying may move them (VlanEditing.StripInPlace).
            ulong source = ethernet.Source;
            ulong destination = ethernet.Destination;
            if (MacAddress.IsGroup(source) || MacAddress.IsZero(source))
            {
                rx.Drops[(int)DropReason.InvalidSource]++;
                continue;
            }
            // VLAN id 0 while the bridge is not VLAN-aware: one learning domain, tags carried through.
            ushort vlan = 0;
            if (vlans is not null && !classifier.TryClassify(ref frame, out vlan, out DropReason reason))
            {
                rx.Drops[(int)reason]++;
                continue;
            }
            _sourceKeys[valid] = FdbKey.Make(source, vlan);
            _destinationKeys[valid] = FdbKey.Make(destination, vlan);
            _valid[valid++] = i;
        }
        return valid;
    }

    /// <summary>Copies a frame for the control plane instead of forwarding it; a full queue drops it.</summary>
    private void Punt(in FrameRef frame, int ingress)
    {
        if (_control!.Punted.TryWrite(ingress, frame))
        {
            _counters.Punts.Punted++;
        }
        else
        {
            _counters.Punts.PuntDropped++;
        }
    }

    private void Flood(FrameBatch batch, int frame, int ingress, ref PortCounters rx, FloodClass kind)
    {
        PortSet ports = _ports;
        if (!ports.Policy.IsDefault)
        {
            FloodByPolicy(batch, frame, ingress, kind, ref rx);
            return;
        }
        rx.Floods++;
        if (_vlans is { } vlans)
        {
            EgressForms forms = _vlanFrames.FormsOf(batch[frame]);
            ReadOnlySpan<int> untaggedMembers = vlans.FloodList(forms.Vlan, VlanEgress.Untagged);
            ReadOnlySpan<int> taggedMembers = vlans.FloodList(forms.Vlan, VlanEgress.Tagged);
            int sentAs = 0;
            if (!untaggedMembers.IsEmpty)
            {
                sentAs = FloodInVlan(batch, frame, ingress, untaggedMembers, forms, VlanEgress.Untagged);
            }
            if (!taggedMembers.IsEmpty)
            {
                sentAs |= FloodInVlan(batch, frame, ingress, taggedMembers, forms, VlanEgress.Tagged);
            }
            KeepForRetag(frame, sentAs, forms);
            return;
        }
        int count = ports.Count;
        for (int i = 0; i < count; i++)
        {
            int port = ports.IdAt(i);
            if (port != ingress && ports.IsUp(port))
            {
                Enqueue(batch, frame, port);
            }
        }
    }

    // Enqueue and EnqueueInForm hold the one size check of the datapath (IPort.Transmit's contract), for forwarded
    // and injected frames alike: the egress port's own rule (AF_PACKET refuses untagged frames past MTU + 14). Runts
    // never get here: Validate drops them on ingress and TryInject refuses them.

    /// <summary>Queues a frame for <paramref name="egress"/> as it is: not VLAN-aware, or injected by the control plane.</summary>
    private void Enqueue(FrameBatch batch, int frame, int egress)
    {
        if (!_ports.Fits(egress, batch[frame]))
        {
            _counters.Ports[egress].Drops[(int)DropReason.TooBig]++;
            return;
        }
        Queue(frame, egress);
    }

    /// <summary>Queues a classified frame for <paramref name="egress"/>, a member that sends its VLAN as <paramref name="tagging"/>, with that tag.</summary>
    private void EnqueueTagged(FrameBatch batch, int frame, int egress, VlanEgress tagging)
    {
        if (!_vlanFrames.TrySetEgressTag(ref batch[frame], tagging))
        {
            _counters.Ports[egress].Drops[(int)DropReason.VlanFiltered]++;
            return;
        }
        EnqueueInForm(batch, frame, egress);
    }

    /// <summary>Queues a classified frame, already in the form <paramref name="egress"/> sends, for it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EnqueueInForm(FrameBatch batch, int frame, int egress)
    {
        if (!_ports.FitsVlanEgress(egress, batch[frame]))
        {
            _counters.Ports[egress].Drops[(int)DropReason.TooBig]++;
            return;
        }
        Queue(frame, egress);
    }

    /// <summary>
    /// Floods a classified frame to <paramref name="members"/>, its VLAN's members that all send it as <paramref name="tagging"/>,
    /// but the ingress port and ports that are down: the frame is set to that form of <paramref name="forms"/> once,
    /// before the first port it goes to. Returns 1 &lt;&lt; tagging when it was set to that form, else 0.
    /// </summary>
    private int FloodInVlan(FrameBatch batch, int frame, int ingress, ReadOnlySpan<int> members, EgressForms forms, VlanEgress tagging)
    {
        PortSet ports = _ports;
        ref FrameRef flooded = ref batch[frame];
        bool formSet = false;
        bool sendable = forms.TryGet(tagging, out VlanTag form);
        foreach (int member in members)
        {
            if (member == ingress || !ports.IsUp(member))
            {
                continue;
            }
            if (!sendable)
            {
                _counters.Ports[member].Drops[(int)DropReason.VlanFiltered]++;
                continue;
            }
            if (!formSet)
            {
                flooded.SetStrippedTag(form);
                formSet = true;
            }
            EnqueueInForm(batch, frame, member);
        }
        return formSet ? 1 << (int)tagging : 0;
    }

    /// <summary>
    /// After a flood that set the frame to both forms (<paramref name="sentAs"/>, the bits of FloodInVlan), keeps its
    /// tagged form, so that each port's list is set to its own form just before it is sent (SetEgressTags).
    /// </summary>
    private void KeepForRetag(int frame, int sentAs, EgressForms forms)
    {
        if (sentAs == BothTags)
        {
            _vlanFrames.KeepForRetag(frame, forms.Tagged);
            _retag = true;
        }
    }

    /// <summary>Adds a frame that passed every check to <paramref name="egress"/>'s transmit list.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Queue(int frame, int egress) => _txIndices[egress * _batchCapacity + _txCounts[egress]++] = frame;

    /// <summary>A flood's bits 1 &lt;&lt; VlanEgress when it went to ports that send its VLAN tagged and to ports that send it untagged.</summary>
    private const int BothTags = (1 << (int)VlanEgress.Tagged) | (1 << (int)VlanEgress.Untagged);

    /// <summary>
    /// Sets each queued frame that was flooded in both forms to this port's form again: it is in the form it was set to
    /// last. Every other frame is in the form each port it went to sends.
    /// </summary>
    private void SetEgressTags(FrameBatch batch, ReadOnlySpan<int> indices, int port, VlanMembership vlans)
    {
        foreach (int frame in indices)
        {
            _vlanFrames.SetRetagForm(ref batch[frame], frame, vlans, port);
        }
    }

    /// <summary>Hands each egress port its list; returns how many frames the ports took.</summary>
    private int TransmitQueued(FrameBatch batch)
    {
        int total = 0;
        PortSet ports = _ports;
        int count = ports.Count;
        for (int p = 0; p < count; p++)
        {
            int port = ports.IdAt(p);
            int queued = _txCounts[port];
            if (queued == 0)
            {
                continue;
            }
            _txCounts[port] = 0;
            ReadOnlySpan<int> indices = _txIndices.AsSpan(port * _batchCapacity, queued);
            if (_retag)
            {
                SetEgressTags(batch, indices, port, _vlans!);
            }
            IPort egress = ports.Port(port);
            int sent = egress.Transmit(batch, indices);
            egress.Flush();
            if (ports.Mirrors is { } mirrors)
            {
                MirrorSent(batch, indices[..sent], port, mirrors);
            }

            ref PortCounters tx = ref _counters.Ports[port];
            tx.TxPackets += (ulong)sent;
            for (int i = 0; i < sent; i++)
            {
                tx.TxBytes += (ulong)batch[indices[i]].WireLength;
            }
            tx.Drops[(int)DropReason.NoTxRoom] += (ulong)(queued - sent);
            total += sent;
        }
        if (_retag)
        {
            _vlanFrames.EndRetag();
            _retag = false;
        }
        return total;
    }
}
