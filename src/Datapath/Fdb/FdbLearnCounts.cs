// Per-burst learn tallies filled by FdbTable.LearnBatch on the poll-loop thread that owns them
// (single writer, so plain fields); Unchanged, Refreshed and Static are not counted.
namespace FastBridge.Datapath.Fdb;

public struct FdbLearnCounts
{
    public long Learned;
    public long Moved;
    public long Full;
}
