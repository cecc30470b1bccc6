// How many more addresses each port with a MAC limit may learn, shared by every poll loop and the
// control plane (one per bridge, held by PortStates). A loop about to learn a new source on a limited
// port takes a grant (one atomic add, on the slow path of a new station only); the control plane sets
// the ceiling once a second from the entries the port holds now: ceiling = grants taken before it
// counted + limit - count. Entries learned while it counts are then counted twice, never missed, so a
// port never holds more than its limit; ageing, moves and flushes only free room, seen at the next count.
namespace FastBridge.Datapath.Forwarding;

public sealed class LearnAllowances(int capacity)
{
    private readonly long[] _granted = new long[capacity];
    private readonly long[] _ceiling = new long[capacity];

    /// <summary>Takes room for one new address on <paramref name="port"/>; false when there is none. Any thread.</summary>
    public bool TryGrant(int port) => Interlocked.Increment(ref _granted[port]) <= Volatile.Read(ref _ceiling[port]);

    /// <summary>Whether the port has no room left (a cheap test before TryGrant, for a burst of new sources over the limit).</summary>
    public bool Exhausted(int port) => Volatile.Read(ref _granted[port]) >= Volatile.Read(ref _ceiling[port]);

    /// <summary>Grants taken so far; read before counting the port's entries.</summary>
    public long Granted(int port) => Volatile.Read(ref _granted[port]);

    /// <summary>Lets the port learn <paramref name="room"/> more addresses than it had when <paramref name="grantedBefore"/> was read. Control plane only.</summary>
    public void Allow(int port, long grantedBefore, int room) => Volatile.Write(ref _ceiling[port], grantedBefore + Math.Max(room, 0));
}
