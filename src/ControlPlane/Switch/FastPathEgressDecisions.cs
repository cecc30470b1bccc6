// Each port's fast-path egress decision (may frames be redirected to it?) as the answers of
// FastPathEgress come in, and what is logged of them. At a port's preparation the answer is the
// decision: one that could not be read means off, with the reason. On the tick a refusal or a
// confirmation is the decision too (logged when it changes), but an unreadable answer keeps the last
// decision, logged once when it is on: a read that races a namespace coming or going must not withdraw a port and
// put it back a second later. Only UnreadableTicksKept failed ticks in a row make it off, so a peer
// that can no longer be read at all is not trusted for ever. Set-up and tick threads; one lock.
using FastBridge.ControlPlane.Logging;
using Microsoft.Extensions.Logging;

namespace FastBridge.ControlPlane.Switch;

internal sealed class FastPathEgressDecisions
{
    /// <summary>Failed ticks in a row (one a second) a decision outlives: far longer than a namespace takes to come or go.</summary>
    internal const int UnreadableTicksKept = 5;

    private readonly Dictionary<string, Decision> _of = new(StringComparer.Ordinal);

    /// <param name="UnreadableTicks">Tick answers in a row that could not be read since the last one that could (at most UnreadableTicksKept).</param>
    private readonly record struct Decision(bool Egress, string Reason, int UnreadableTicks);

    /// <summary>`on (why)` or `off (why not)`; `off (not prepared)` for a port never checked.</summary>
    public string Show(string port)
    {
        lock (_of)
        {
            return _of.TryGetValue(port, out Decision d) ? $"{(d.Egress ? "on" : "off")} ({d.Reason})" : "off (not prepared)";
        }
    }

    public bool Egress(string port)
    {
        lock (_of)
        {
            return _of.GetValueOrDefault(port).Egress;
        }
    }

    /// <summary>Takes <paramref name="answer"/> for <paramref name="port"/>; whether its egress changed.</summary>
    /// <param name="preparing">At a preparation (always logged, unreadable means off); else on the tick.</param>
    public bool Take(string port, EgressAnswer answer, bool preparing, ILogger log)
    {
        Decision next;
        bool changed, tellUnreadable = false;
        lock (_of)
        {
            bool known = _of.TryGetValue(port, out Decision was);
            next = new Decision(answer.Verdict == EgressVerdict.Confirmed, answer.Reason, 0);
            if (answer.Verdict == EgressVerdict.Unreadable && known && !preparing)
            {
                int ticks = was.UnreadableTicks + 1;
                tellUnreadable = ticks == 1 && was.Egress; // an off decision has nothing to keep: it stays off quietly
                next = ticks < UnreadableTicksKept ? was with { UnreadableTicks = ticks } : next with { UnreadableTicks = UnreadableTicksKept };
            }
            changed = !known || was.Egress != next.Egress;
            _of[port] = next;
        }
        if (tellUnreadable)
        {
            log.PortFastPathUnreadable(port, UnreadableTicksKept, answer.Reason);
        }
        else if (changed || preparing)
        {
            log.PortFastPath(port, next.Egress ? "on" : "off", next.Reason);
        }
        return changed;
    }
}
