// How many frames move together: a poll loop receives at most this many per port per iteration,
// and everything sized per burst (batches, transmit lists, AF_XDP scratch and copy reserves) follows it.
namespace FastBridge.Datapath.Common;

public static class Bursts
{
    /// <summary>Frames per burst: DPDK's l2fwd uses 32, VPP 256; 64 amortises a poll and a kick well on veth.</summary>
    public const int DefaultFrames = 64;
}
