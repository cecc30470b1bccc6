// The port backend contract: one poll loop's handle on one interface (its own socket or queue),
// moved in bursts. AF_PACKET, AF_XDP and the in-memory backend implement it. Only the owning
// poll thread calls Receive/ReleaseReceived/Transmit/Flush; they never throw, never block and
// never allocate. Set-up (the constructor of an implementation) fails loudly instead.
// The size checks are the forwarder's, not the backends': BatchForwarder hands Transmit only frames that
// fit (see Transmit) and counts the rest once, runt on the ingress port and too_big on the egress port.
namespace FastBridge.Datapath.Ports;

public interface IPort : IDisposable
{
    /// <summary>The interface name, for logs and counters.</summary>
    string Name { get; }

    /// <summary>
    /// The longest frame this port transmits: MTU + Ethernet header + one VLAN tag, the limit the
    /// Linux bridge applies (is_skb_forwardable). Longer frames are dropped as too big.
    /// </summary>
    int MaxFrameLength { get; }

    /// <summary>
    /// The longest frame whose outer EtherType is not 802.1Q (0x8100) this port transmits. The Linux bridge
    /// allows every frame MaxFrameLength; AF_PACKET's packet_snd allows the 4 extra bytes to 802.1Q-tagged
    /// frames only (packet_extra_vlan_len_allowed), so its ports say MTU + Ethernet header.
    /// </summary>
    int MaxUntaggedFrameLength => MaxFrameLength;

    /// <summary>A descriptor that polls readable when frames wait, for the idle blocking wait; -1 if none.</summary>
    int PollFd { get; }

    /// <summary>
    /// Appends received frames to <paramref name="batch"/> until it is full or the port has no more.
    /// Returns the number added, or a negative errno when the socket failed: ENETDOWN when its interface
    /// went down or away (it may come back), another errno when the socket is dead for good.
    /// </summary>
    int Receive(FrameBatch batch);

    /// <summary>Gives the memory of the frames from the last Receive back to the backend.</summary>
    void ReleaseReceived();

    /// <summary>
    /// Queues batch[indices[i]] for transmission in order, copying or handing over each frame and
    /// re-inserting a stripped VLAN tag. Returns how many were queued; the rest found no room.
    /// The caller's contract: every frame holds at least an Ethernet header and fits this port
    /// (FrameRef.Fits(MaxFrameLength, MaxUntaggedFrameLength)); a backend trusts it (DEBUG builds assert it)
    /// and counts only what the kernel itself refuses.
    /// </summary>
    int Transmit(FrameBatch batch, ReadOnlySpan<int> indices);

    /// <summary>Kicks the kernel to send what Transmit queued (one syscall per port per burst at most).</summary>
    void Flush();

    /// <summary>Whether frames Transmit queued still wait for the kernel to take them (a kick that found it busy).</summary>
    bool TransmitQueued => false;

    /// <summary>
    /// Every frame received so far has been forwarded or dropped, and every copy is in the kernel's hands (no port's
    /// TransmitQueued): the port tells its fast-path program, which redirects its frames only while none wait in
    /// user space (FastPathMaps.Drains.cs). Nothing to do for a port without one.
    /// </summary>
    void MarkForwarded()
    {
    }

    /// <summary>
    /// Adds the drops the backend made or saw itself, indexed by DropReason (the kernel's receive-ring
    /// overruns, frames truncated by the ring), to <paramref name="byReason"/>. Called from the stats
    /// reader, not the poll thread; the backend keeps these counts single-writer or reads them from the kernel.
    /// </summary>
    void AddBackendDrops(Span<ulong> byReason);
}
