// Storm control's count for one poll loop: per (ingress port, flood class), the flooded frames admitted
// in the current second of FdbClock, a token bucket refilled whole at each second (burst = rate). Only
// the owning loop touches it, so plain ints, no lock, no allocation after it is made. A port's rate
// holds per loop: with N loops sharing a port's traffic (PACKET_FANOUT) it may flood up to N times it.
namespace FastBridge.Datapath.Forwarding;

internal sealed class StormWindows(int capacity)
{
    private const int Classes = 3;

    private readonly uint[] _second = new uint[capacity * Classes];
    private readonly int[] _admitted = new int[capacity * Classes];

    /// <summary>Whether one more flooded frame of <paramref name="kind"/> from <paramref name="port"/> fits under <paramref name="rate"/> this second; counts it if so.</summary>
    public bool Admit(int port, FloodClass kind, int rate, uint now)
    {
        int i = port * Classes + (int)kind;
        if (_second[i] != now)
        {
            _second[i] = now;
            _admitted[i] = 0;
        }
        return ++_admitted[i] <= rate;
    }
}
