// What one Learn did to the table; the poll loop turns these into its per-core learn counters.
namespace FastBridge.Datapath.Fdb;

public enum LearnOutcome : byte
{
    /// <summary>Known on this port and its stamp already current: nothing was written.</summary>
    Unchanged,

    /// <summary>Known on this port; the last-seen stamp moved forward.</summary>
    Refreshed,

    /// <summary>A new entry.</summary>
    Learned,

    /// <summary>Known on another port, now re-learned on this one (a station move).</summary>
    Moved,

    /// <summary>A new address not learned because Count reached MaxEntries.</summary>
    TableFull,

    /// <summary>A static entry holds the key: static entries never move and never age, learning leaves them alone.</summary>
    Static,
}
