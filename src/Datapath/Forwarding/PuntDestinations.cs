// The group destinations whose frames a poll loop takes out of forwarding and hands to the control
// plane (ControlFrameQueues): 01:80:C2:00:00:00 for STP/RSTP, 01:80:C2:00:00:0E for LLDP, any other
// group address a protocol needs. Immutable: the control plane builds a new set and publishes it in
// one reference swap; the forwarder reads it once per burst. The reserved link-local range is a bit
// mask, as the Linux bridge's group_fwd_mask is, so the common case costs one test.
using FastBridge.Datapath.Frames;

namespace FastBridge.Datapath.Forwarding;

public sealed class PuntDestinations
{
    private readonly ushort _linkLocalMask;
    private readonly ulong[] _others;

    private PuntDestinations(ushort linkLocalMask, ulong[] others)
    {
        _linkLocalMask = linkLocalMask;
        _others = others;
    }

    /// <summary>Punt nothing: every frame is forwarded as before punting existed.</summary>
    public static PuntDestinations None { get; } = new(0, []);

    /// <summary>A set of group MAC addresses (low 48 bits); an individual address is refused, since only group frames are looked at.</summary>
    public static PuntDestinations Of(IEnumerable<ulong> destinations)
    {
        ushort mask = 0;
        var others = new List<ulong>();
        foreach (ulong destination in destinations)
        {
            if (!MacAddress.IsGroup(destination))
            {
                throw new ArgumentException($"{MacAddress.Format(destination)} is not a group address: only group destinations are punted");
            }
            if (MacAddress.IsLinkLocal(destination, out int low))
            {
                mask |= (ushort)(1 << low);
            }
            else if (!others.Contains(destination))
            {
                others.Add(destination);
            }
        }
        return new PuntDestinations(mask, [.. others]);
    }

    public bool IsEmpty => _linkLocalMask == 0 && _others.Length == 0;

    /// <summary>Whether frames to the group address <paramref name="destination"/> are punted.</summary>
    public bool Contains(ulong destination)
    {
        if (MacAddress.IsLinkLocal(destination, out int low))
        {
            return (_linkLocalMask & (1 << low)) != 0;
        }
        foreach (ulong other in _others)
        {
            if (other == destination)
            {
                return true;
            }
        }
        return false;
    }
}
