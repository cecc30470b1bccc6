// The FDB's clock: whole seconds of the coarse monotonic clock. Learning stamps entries with it, the
// ager and `fdb show` measure ages against it, so every caller that passes `now` to the FDB reads it
// here (tests pass their own). Environment.TickCount64 is cheap (no syscall), never jumps with wall
// time, and a uint of seconds lasts 136 years. Any thread.
namespace FastBridge.Datapath.Fdb;

public static class FdbClock
{
    public static uint Now => (uint)(Environment.TickCount64 / 1000);
}
