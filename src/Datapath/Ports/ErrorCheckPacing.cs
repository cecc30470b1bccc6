// When an idle port asks its socket whether the device went down or away. Asking costs a syscall,
// and even reading the coarse clock is a call into the runtime, so an idle port looks at the clock
// only every 64th empty receive (a few µs of spinning) and asks the socket at most once a millisecond.
namespace FastBridge.Datapath.Ports;

internal struct ErrorCheckPacing
{
    private const int EmptyReceivesPerClockRead = 64;
    private const long IntervalMs = 1;

    private int _emptyReceives;
    private long _nextCheckMs;

    /// <summary>Called on each empty receive; true when the socket should be asked now.</summary>
    public bool Due()
    {
        if (++_emptyReceives < EmptyReceivesPerClockRead)
        {
            return false;
        }
        _emptyReceives = 0;
        long now = Environment.TickCount64;
        if (now < _nextCheckMs)
        {
            return false;
        }
        _nextCheckMs = now + IntervalMs;
        return true;
    }
}
