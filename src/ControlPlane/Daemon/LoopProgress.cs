// Whether every poll loop has moved on since the last look, from the iteration counter each loop bumps
// at the end of every iteration (PollLoop.Epoch). A loop blocked in poll(2) still wakes every 100 ms
// at most, so a loop that has not advanced for a second is stuck, not idle. Read by one thread at a
// time (the daemon's main thread at start, then the watchdog timer); the loops only write their counter.
using FastBridge.Datapath.Forwarding;

namespace FastBridge.ControlPlane.Daemon;

internal sealed class LoopProgress
{
    private readonly IReadOnlyList<PollLoop> _loops;
    private readonly long[] _seen;

    public LoopProgress(IReadOnlyList<PollLoop> loops)
    {
        _loops = loops;
        _seen = new long[loops.Count];
        for (int i = 0; i < _seen.Length; i++)
        {
            _seen[i] = loops[i].Epoch;
        }
    }

    /// <summary>The first loop that has stopped or not completed an iteration since the previous call, else -1; remembers where each loop is now.</summary>
    public int FirstStalled()
    {
        int stalled = -1;
        for (int i = 0; i < _seen.Length; i++)
        {
            long epoch = _loops[i].Epoch;
            if ((epoch == _seen[i] || !_loops[i].Running) && stalled < 0)
            {
                stalled = i;
            }
            _seen[i] = epoch;
        }
        return stalled;
    }

    /// <summary>
    /// Waits until every loop has completed an iteration after this call began (so each has taken the port
    /// table published before it), or the timeout passes; whether they all did.
    /// </summary>
    public bool WaitAllAdvanced(TimeSpan timeout)
    {
        long[] start = [.. _loops.Select(l => l.Epoch)];
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            bool all = true;
            for (int i = 0; i < start.Length; i++)
            {
                all &= _loops[i].Running && _loops[i].Epoch != start[i];
            }
            if (all || Environment.TickCount64 >= deadline)
            {
                return all;
            }
            Thread.Sleep(5);
        }
    }
}
