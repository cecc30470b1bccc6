// How much memory AF_XDP takes, and the rules for sizing it: the ring size (--ring-size, every one
// of a socket's four rings) and the frames of each poll loop's UMEM (--umem-frames). The kernel pins
// the whole UMEM (it shows in RSS and counts against RLIMIT_MEMLOCK), so its size is the daemon's
// memory: 4 KiB a frame. Read by the config checks and by PortOpener at start; no poll thread.
using System.Globalization;
using System.Numerics;

namespace FastBridge.Datapath.Xdp;

public static class XdpMemory
{
    /// <summary>
    /// Descriptors per AF_XDP ring, libxdp's and Open vSwitch's default: 2048 frames absorb a 2.5 ms
    /// stall of the poll loop at 800k frames/s. With 512, some quick e2e runs lost frames (RX ring
    /// full) at a third of the rate the switch forwarded at full load; with 2048, three in a row did not.
    /// </summary>
    public const int DefaultRingSize = 2048;

    public const int MinRingSize = 64, MaxRingSize = 16384;

    /// <summary>The bounds of --umem-frames: a burst's copy reserve twice at least; 4 GiB of 4 KiB frames at most.</summary>
    public const int MinUmemFrames = 512, MaxUmemFrames = 1 << 20;

    /// <summary>2 MiB of 4 KiB frames: an automatic size is rounded up to it, so the UMEM can take huge pages.</summary>
    private const int HugePageFrames = 512;

    /// <summary>
    /// Frames one port can hold at once in the worst case: its fill and RX rings full (frames the
    /// kernel has not yet written, and frames written but not yet read) and its TX and completion rings
    /// full (frames not yet sent, and sent but not yet reaped). A UMEM with this many frames per port
    /// (plus the copy reserve, which Umem keeps off the fill rings) never leaves a ring short.
    /// </summary>
    public static int FramesPerPort(int ringSize) => 4 * ringSize;

    /// <summary>
    /// The UMEM frames of one poll loop when --umem-frames is not given: every port named at start
    /// (at least two, the smallest switch) at FramesPerPort, plus 128 frames of copy reserve, rounded
    /// up to 2 MiB. Ports added later share it; name --umem-frames for the most ports expected.
    /// </summary>
    public static int AutoUmemFrames(int ports, int ringSize)
    {
        long frames = (long)Math.Max(ports, 2) * FramesPerPort(ringSize) + 128;
        frames = (frames + HugePageFrames - 1) / HugePageFrames * HugePageFrames;
        return (int)Math.Min(frames, MaxUmemFrames);
    }

    /// <summary>Why a ring size is refused, or null: a power of two the kernel takes, within the bounds.</summary>
    public static string? RingSizeProblem(int size) =>
        size is >= MinRingSize and <= MaxRingSize && BitOperations.IsPow2(size) ? null
            : string.Create(CultureInfo.InvariantCulture, $"must be a power of two from {MinRingSize} to {MaxRingSize}, not {size}");

    /// <summary>Why a UMEM frame count is refused, or null.</summary>
    public static string? UmemFramesProblem(int frames) =>
        frames is >= MinUmemFrames and <= MaxUmemFrames ? null
            : string.Create(CultureInfo.InvariantCulture, $"must be between {MinUmemFrames} and {MaxUmemFrames}, not {frames}");
}
