// Punt and inject, the control plane's side: which group destinations the poll loops take out of
// forwarding, reading the frames they punted, and giving frames to a port's loop to send. Each loop's
// rings have one reader and one writer on this side too, so takes and injects are serialised by a lock
// each, and a change of destinations by the bridge's control lock; the poll loops never see these
// locks. A consumer polls TryTakePunted (on its own tick): the loops never wake it, so the poll thread
// makes no syscall and takes no lock to punt. An idle loop blocked in poll(2) sends an injected frame
// when it wakes, within PollLoop's 100 ms block timeout.
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Frames;

namespace FastBridge.Datapath.Hosting;

public sealed partial class DatapathHost
{
    private readonly object _puntTaking = new();
    private readonly object _injecting = new();
    private int _nextPuntLoop;

    /// <summary>
    /// Group destinations whose frames every loop hands to the control plane instead of forwarding them (the
    /// Linux bridge delivers 01:80:C2:00:00:00 locally rather than flooding it once STP runs); their sources
    /// are still learned. None, the default, forwards every frame as before: BPDUs flood, other link-local
    /// groups stay on their link unless the group forward mask opens them.
    /// </summary>
    public PuntDestinations PuntDestinations
    {
        get => _loops[0].ControlFrames.Destinations; // every loop holds the same set
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            lock (_control)
            {
                foreach (PollLoop loop in _loops)
                {
                    loop.ControlFrames.Destinations = value;
                }
            }
        }
    }

    /// <summary>Bytes a punted or injected frame may have at most.</summary>
    public static int MaxControlFrameLength => FrameRing.DefaultSlotLength;

    /// <summary>
    /// Copies the oldest punted frame of one loop (taking the loops in turn) into <paramref name="destination"/>,
    /// which must hold MaxControlFrameLength bytes. Returns its length and ingress port id, or -1 when none waits.
    /// Frames from one loop come in the order it received them.
    /// </summary>
    public int TryTakePunted(Span<byte> destination, out int port)
    {
        lock (_puntTaking)
        {
            for (int i = 0; i < _loops.Length; i++)
            {
                PollLoop loop = _loops[(_nextPuntLoop + i) % _loops.Length];
                int length = loop.ControlFrames.Punted.TryRead(destination, out port);
                if (length >= 0)
                {
                    _nextPuntLoop = (loop.Index + 1) % _loops.Length;
                    return length;
                }
            }
            port = -1;
            return -1;
        }
    }

    /// <summary>
    /// Queues <paramref name="frame"/> to leave on port <paramref name="port"/> exactly as given, sent by the
    /// port's loop (id modulo the loop count, so one port's frames leave in order) in its next iteration,
    /// counted in the port's tx counters like a forwarded frame. False if that loop's queue is full. A port
    /// not up when the loop takes the frame drops it (counted as inject_dropped).
    /// </summary>
    public bool TryInject(int port, ReadOnlySpan<byte> frame)
    {
        if ((uint)port >= (uint)_present.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(port), $"port id {port} is not below {_present.Length}");
        }
        if (frame.Length < EthernetFrame.HeaderLength || frame.Length > MaxControlFrameLength)
        {
            throw new ArgumentException($"a frame to inject has {EthernetFrame.HeaderLength} to {MaxControlFrameLength} bytes, not {frame.Length}", nameof(frame));
        }
        lock (_injecting)
        {
            return _loops[port % _loops.Length].ControlFrames.Injected.TryWrite(port, frame);
        }
    }
}
