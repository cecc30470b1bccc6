// How answers of the egress check become a port's fast-path decision: at a preparation an unreadable
// answer means off; on the tick it keeps the last decision, logged once, until UnreadableTicksKept
// failures in a row; readable answers decide at once and are logged when they change it.
using FastBridge.ControlPlane.Switch;
using Microsoft.Extensions.Logging;

namespace FastBridge.Tests.ControlPlane.Switch;

public sealed class FastPathEgressDecisionsTests
{
    private static readonly EgressAnswer s_on = new(EgressVerdict.Confirmed, "peer p has GRO on");
    private static readonly EgressAnswer s_off = new(EgressVerdict.Refused, "peer p has GRO off (ethtool -K p gro on)");
    private static readonly EgressAnswer s_unreadable = new(EgressVerdict.Unreadable, "its veth peer cannot be read: gone");

    private readonly FastPathEgressDecisions _decisions = new();
    private readonly RecordingLogger _log = new();

    [Fact]
    public void Take_UnreadableAtPreparation_OffWithReasonLogged()
    {
        Assert.True(_decisions.Take("a", s_unreadable, preparing: true, _log));

        Assert.Equal($"off ({s_unreadable.Reason})", _decisions.Show("a"));
        Assert.Equal([$"port a: fast-path off ({s_unreadable.Reason})"], _log.Lines);
    }

    [Fact]
    public void Take_UnreadableOnTicks_KeepsLastDecisionLoggedOnceThenOffAfterLimit()
    {
        _decisions.Take("a", s_on, preparing: true, _log);
        for (int tick = 1; tick < FastPathEgressDecisions.UnreadableTicksKept; tick++)
        {
            Assert.False(_decisions.Take("a", s_unreadable, preparing: false, _log));
            Assert.True(_decisions.Egress("a"));
            Assert.Equal($"on ({s_on.Reason})", _decisions.Show("a"));
        }
        Assert.Equal(2, _log.Lines.Count);
        Assert.StartsWith("port a: fast-path check failed, staying on", _log.Lines[1]);

        Assert.True(_decisions.Take("a", s_unreadable, preparing: false, _log));
        Assert.False(_decisions.Take("a", s_unreadable, preparing: false, _log));

        Assert.False(_decisions.Egress("a"));
        Assert.Equal([$"port a: fast-path off ({s_unreadable.Reason})"], _log.Lines.Skip(2));
    }

    [Fact]
    public void Take_ReadableAgainBeforeLimit_CountStartsOver()
    {
        _decisions.Take("a", s_on, preparing: true, _log);
        for (int tick = 1; tick < FastPathEgressDecisions.UnreadableTicksKept; tick++)
        {
            _decisions.Take("a", s_unreadable, preparing: false, _log);
        }
        Assert.False(_decisions.Take("a", s_on, preparing: false, _log));
        Assert.False(_decisions.Take("a", s_unreadable, preparing: false, _log));

        Assert.True(_decisions.Egress("a"));
        Assert.Equal(3, _log.Lines.Count); // prepared, failed, failed again after a good read
    }

    [Fact]
    public void Take_RefusedOnTick_OffAtOnceLoggedOnChangeOnly()
    {
        _decisions.Take("a", s_on, preparing: true, _log);

        Assert.True(_decisions.Take("a", s_off, preparing: false, _log));
        Assert.False(_decisions.Take("a", s_off, preparing: false, _log));

        Assert.Equal($"off ({s_off.Reason})", _decisions.Show("a"));
        Assert.Equal(["port a: fast-path on (peer p has GRO on)", $"port a: fast-path off ({s_off.Reason})"], _log.Lines);
        Assert.Equal("off (not prepared)", _decisions.Show("b"));
    }

    [Fact]
    public void Take_UnreadableOnTicksWhileOff_StaysOffQuietlyReasonUpdatedAtLimit()
    {
        _decisions.Take("a", s_off, preparing: true, _log);
        for (int tick = 1; tick <= FastPathEgressDecisions.UnreadableTicksKept; tick++)
        {
            Assert.False(_decisions.Take("a", s_unreadable, preparing: false, _log));
            Assert.Equal(tick < FastPathEgressDecisions.UnreadableTicksKept ? s_off.Reason : s_unreadable.Reason, _decisions.Show("a")[5..^1]);
        }

        Assert.Single(_log.Lines);
    }

    private sealed class RecordingLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
