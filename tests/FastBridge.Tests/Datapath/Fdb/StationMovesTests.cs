// The ring of station moves (StationMoves) and what fills it: FdbTable.LearnBatch records a move, and
// nothing else, so forwarding without moves never writes it.
using FastBridge.Datapath.Fdb;

namespace FastBridge.Tests.Datapath.Fdb;

public sealed class StationMovesTests
{
    [Fact]
    public void LearnBatch_StationMovedToAnotherPort_RecordsOnlyTheMove()
    {
        var fdb = new FdbTable(1024);
        var moves = new StationMoves();
        var counts = default(FdbLearnCounts);
        ulong key = FdbKey.Make(0x0200_0000_0001UL, 0);
        fdb.LearnBatch([key], port: 1, now: 1, ref counts, moves);
        fdb.LearnBatch([key], port: 1, now: 2, ref counts, moves);
        fdb.LearnBatch([key], port: 2, now: 3, ref counts, moves);

        var seen = new List<(ulong, int)>();
        moves.Drain((k, p) => seen.Add((k, p)));
        Assert.Equal([(key, 2)], seen);
        Assert.Equal(1, counts.Moved);
    }

    [Fact]
    public void Record_RingFull_DropsAndCountsTheRest_DrainEmptiesIt()
    {
        var moves = new StationMoves(capacity: 4);
        for (int i = 1; i <= 6; i++)
        {
            moves.Record((ulong)i, i);
        }
        var seen = new List<ulong>();
        moves.Drain((k, _) => seen.Add(k));
        moves.Record(7, 7);
        moves.Drain((k, _) => seen.Add(k));

        Assert.Equal([1UL, 2, 3, 4, 7], seen);
        Assert.Equal(2, moves.Dropped);
    }
}
