// The forwarder's port mirroring (MirrorTable), taken only while the port table carries mirrors, so a
// bridge without one pays a null check per burst and per transmit list:
// - rx: a burst received on a source port is copied to each destination before anything else reads or
//   retags it, so the copy is the frame as received;
// - tx: the frames an egress port took are copied right after its Transmit, while they still carry
//   that port's egress tag;
// - a burst received on a destination port is counted and dropped (DropReason.MirrorPort).
// Copies go out as forwarded frames do (one Transmit and one Flush per destination per list); what the
// destination's TX ring has no room for is dropped and counted (MirrorDropped), never waited for.
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Frames;
using FastBridge.Datapath.Ports;

namespace FastBridge.Datapath.Forwarding;

public sealed partial class BatchForwarder
{
    /// <summary>Scratch: the indices of one list's frames that fit the destination port.</summary>
    private readonly int[] _mirrorIndices;

    /// <summary>Copies the burst received on <paramref name="ingress"/> to its rx mirrors; true if the port is itself a destination and the burst was dropped.</summary>
    private bool MirrorReceived(FrameBatch batch, int ingress, MirrorTable mirrors, ref PortCounters rx)
    {
        if (mirrors.IsDestination(ingress))
        {
            for (int i = 0; i < batch.Count; i++)
            {
                rx.RxPackets++;
                rx.RxBytes += (ulong)batch[i].WireLength;
            }
            rx.Drops[(int)DropReason.MirrorPort] += (ulong)batch.Count;
            return true;
        }
        ReadOnlySpan<int> destinations = mirrors.RxDestinations(ingress);
        if (destinations.Length > 0)
        {
            int count = 0;
            for (int i = 0; i < batch.Count; i++)
            {
                if (batch[i].Length >= EthernetFrame.HeaderLength)
                {
                    _mirrorIndices[count++] = i; // runts stay out, as IPort.Transmit's contract asks
                }
            }
            foreach (int destination in destinations)
            {
                CopyTo(batch, _mirrorIndices.AsSpan(0, count), destination, tagged: false);
            }
        }
        return false;
    }

    /// <summary>Copies the frames port <paramref name="egress"/> just took to its tx mirrors.</summary>
    private void MirrorSent(FrameBatch batch, ReadOnlySpan<int> sent, int egress, MirrorTable mirrors)
    {
        foreach (int destination in mirrors.TxDestinations(egress))
        {
            CopyTo(batch, sent, destination, tagged: _vlans is not null);
        }
    }

    private void CopyTo(FrameBatch batch, ReadOnlySpan<int> frames, int destination, bool tagged)
    {
        ref PortCounters counters = ref _counters.Ports[destination];
        if (!_ports.States.IsUp(destination))
        {
            counters.MirrorDropped += (ulong)frames.Length;
            return;
        }
        int fitting = 0;
        Span<int> fits = _mirrorIndices.AsSpan(_batchCapacity);
        foreach (int frame in frames)
        {
            if (tagged ? _ports.FitsVlanEgress(destination, batch[frame]) : _ports.Fits(destination, batch[frame]))
            {
                fits[fitting++] = frame;
            }
        }
        IPort port = _ports.Port(destination);
        int sent = fitting == 0 ? 0 : port.Transmit(batch, fits[..fitting]);
        port.Flush();
        counters.MirrorSent += (ulong)sent;
        counters.MirrorDropped += (ulong)(frames.Length - sent);
        counters.TxPackets += (ulong)sent;
        for (int i = 0; i < sent; i++)
        {
            counters.TxBytes += (ulong)batch[fits[i]].WireLength;
        }
    }
}
