// The stations one poll loop moved from one port to another (LearnOutcome.Moved), for MAC-flap
// detection (Hosting/MacFlapDetector.cs): a fixed ring of (key, new port) with one writer, the loop's
// learning pass, and one reader, the control plane's once-a-second housekeeping. Only a move writes,
// never a plain learn or refresh, so forwarding without moves pays nothing. When the ring is full the
// move is dropped and counted: a flapping station fills it with its own moves, which is all detection
// needs. Lock-free, no allocation after construction.
namespace FastBridge.Datapath.Fdb;

public sealed class StationMoves
{
    /// <summary>Moves kept between two drains: a flap limit is a few moves a second, a storm's excess need not be kept.</summary>
    public const int DefaultCapacity = 1024;

    private readonly ulong[] _keys;
    private readonly int[] _ports;
    private long _written;
    private long _read;

    public StationMoves(int capacity = DefaultCapacity)
    {
        _keys = new ulong[capacity];
        _ports = new int[capacity];
    }

    /// <summary>Moves not kept because the ring was full.</summary>
    public long Dropped { get; private set; }

    /// <summary>The writer's side: station <paramref name="key"/> now sits on <paramref name="port"/>.</summary>
    public void Record(ulong key, int port)
    {
        long written = _written;
        if (written - Volatile.Read(ref _read) >= _keys.Length)
        {
            Dropped++;
            return;
        }
        int at = (int)(written % _keys.Length);
        _keys[at] = key;
        _ports[at] = port;
        Volatile.Write(ref _written, written + 1);
    }

    /// <summary>The reader's side: hands every move recorded since the last drain to <paramref name="moved"/>, oldest first.</summary>
    public void Drain(Action<ulong, int> moved)
    {
        long end = Volatile.Read(ref _written);
        for (long i = _read; i < end; i++)
        {
            int at = (int)(i % _keys.Length);
            moved(_keys[at], _ports[at]);
        }
        Volatile.Write(ref _read, end);
    }
}
