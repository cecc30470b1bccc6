// What one poll loop exchanges with the control plane, for protocols the switch itself speaks (RSTP,
// LLDP, later IGMP/MLD snooping): frames punted to it, chosen by destination, and frames it injects
// to leave on a port. One pair of rings per loop, each with one writer and one reader: the loop
// writes Punted and reads Injected; on the control plane's side the datapath host lets one thread at a
// time read Punted and write Injected (DatapathHost.Punt.cs). Nothing here runs unless the control plane
// asks: with Destinations None and no frame injected, the loop forwards exactly as it did without it.
namespace FastBridge.Datapath.Forwarding;

public sealed class ControlFrameQueues
{
    private PuntDestinations _destinations = PuntDestinations.None;

    /// <param name="capacity">Frames each ring holds (a power of two).</param>
    public ControlFrameQueues(int capacity = FrameRing.DefaultCapacity)
    {
        Punted = new FrameRing(capacity);
        Injected = new FrameRing(capacity);
    }

    /// <summary>Frames the loop took out of forwarding, with their ingress port. Written by the loop only.</summary>
    public FrameRing Punted { get; }

    /// <summary>Frames to transmit, with their egress port, sent in the loop's next iteration. Read by the loop only.</summary>
    public FrameRing Injected { get; }

    /// <summary>Which frames are punted; the forwarder reads this once per burst.</summary>
    public PuntDestinations Destinations
    {
        get => Volatile.Read(ref _destinations);
        set => Volatile.Write(ref _destinations, value);
    }
}
