// MAC-flap detection (issue 14's loop protection), run by Housekeeping once a second under the control
// lock: drain every loop's StationMoves, count each station's moves since the last tick, and report a
// station that moved more often than the MacFlapLimit of the port it moved to last; that port is
// counted (MacFlapsOf). The latest port it moved to whose policy is loop_action block (the later port of
// the loop, not the host's own port unless that one asks for it) is taken out of forwarding
// (PolicyShutdown.LoopBlock) for its LoopHoldSeconds; a later tick puts it back. A station in a loop moves at the storm's rate,
// so one tick is enough to see it; a roaming host moves once. Control plane only.
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Forwarding;

namespace FastBridge.Datapath.Hosting;

/// <summary>A station that flapped: its FDB key, its moves in the last tick, the ports it moved to (in order of first move), and the port blocked (-1, none).</summary>
public sealed record MacFlap(ulong Key, int Moves, IReadOnlyList<int> Ports, int BlockedPort, int HoldSeconds);

internal sealed class MacFlapDetector
{
    private readonly Dictionary<ulong, Moves> _moves = [];
    private readonly long[] _flaps;
    private readonly uint[] _blockedUntil;

    public MacFlapDetector(int maxPorts)
    {
        _flaps = new long[maxPorts];
        _blockedUntil = new uint[maxPorts];
    }

    /// <summary>Flaps reported with <paramref name="port"/> as the port moved to, since start. Any thread.</summary>
    public long FlapsOf(int port) => Volatile.Read(ref _flaps[port]);

    /// <summary>One tick: returns the flaps since the last, after blocking where the policy says and unblocking ports whose hold has passed.</summary>
    public List<MacFlap> Tick(IReadOnlyList<PollLoop> loops, PortSet ports, uint now)
    {
        Unblock(ports.States, now);
        _moves.Clear();
        foreach (PollLoop loop in loops)
        {
            loop.Counters.Moves.Drain((key, port) => Count(key, port, ports.Policy.Of(port).LoopAction == LoopAction.Block));
        }
        var flaps = new List<MacFlap>();
        foreach ((ulong key, Moves moves) in _moves)
        {
            PortPolicy policy = ports.Policy.Of(moves.Last);
            if (moves.Count <= policy.MacFlapLimit || !ports.Contains(moves.Last))
            {
                continue;
            }
            Interlocked.Increment(ref _flaps[moves.Last]);
            int blocked = moves.LastBlocking;
            int hold = blocked < 0 ? 0 : ports.Policy.Of(blocked).LoopHoldSeconds;
            if (blocked >= 0 && ports.Contains(blocked) && ports.States.MarkDown(blocked, PolicyShutdown.LoopBlock))
            {
                _blockedUntil[blocked] = now + (uint)hold;
            }
            else
            {
                blocked = -1; // already down: blocked by an earlier flap this tick, or failed
            }
            flaps.Add(new MacFlap(key, moves.Count, moves.Ports, blocked, hold));
        }
        return flaps;
    }

    private void Count(ulong key, int port, bool blocking)
    {
        if (!_moves.TryGetValue(key, out Moves? moves))
        {
            _moves[key] = moves = new Moves();
        }
        moves.Count++;
        moves.Last = port;
        if (blocking)
        {
            moves.LastBlocking = port;
        }
        if (!moves.Ports.Contains(port))
        {
            moves.Ports.Add(port);
        }
    }

    private void Unblock(PortStates states, uint now)
    {
        for (int port = 0; port < _blockedUntil.Length; port++)
        {
            if (_blockedUntil[port] != 0 && (int)(now - _blockedUntil[port]) >= 0)
            {
                _blockedUntil[port] = 0;
                if (states.Errno(port) == PolicyShutdown.LoopBlock)
                {
                    states.ClearFailure(port);
                }
            }
        }
    }

    private sealed class Moves
    {
        public int Count;
        public int Last;
        public int LastBlocking = -1;
        public List<int> Ports { get; } = [];
    }
}
