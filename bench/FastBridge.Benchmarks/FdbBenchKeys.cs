// Keys, pseudo-random key walks and populated tables for the FDB benchmarks (FdbBenchmarks.cs).
// Used in set-up only, on the benchmark thread; nothing here runs in a measured region.
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Fdb;

namespace FastBridge.Benchmarks;

internal static class FdbBenchKeys
{
    public const int Batch = Bursts.DefaultFrames;
    public const int LookupMaxEntries = 1 << 20;
    public const int MinWalk = 1 << 16;
    public const int Port = 1;
    public const uint Now = 1;

    /// <summary>The n-th learned station: locally administered unicast MACs, VLAN 0.</summary>
    public static ulong Present(int n) => FdbKey.Make(0x0200_0000_0000UL | (uint)n, 0);

    /// <summary>The n-th station never learned by set-up (another prefix).</summary>
    public static ulong Absent(int n) => FdbKey.Make(0x0600_0000_0000UL | (uint)n, 0);

    /// <summary>A table of maxEntries holding keys Present(0 .. entries-1), all on Port, learned at Now.</summary>
    public static FdbTable Populated(int maxEntries, int entries)
    {
        var table = new FdbTable(maxEntries);
        var keys = new ulong[Batch];
        var counts = new FdbLearnCounts();
        for (int start = 0; start < entries; start += Batch)
        {
            int n = Math.Min(Batch, entries - start);
            for (int i = 0; i < n; i++)
            {
                keys[i] = Present(start + i);
            }
            table.LearnBatch(keys.AsSpan(0, n), Port, Now, ref counts);
        }
        if (table.Count != entries || counts.Learned != entries)
        {
            throw new InvalidOperationException($"populated {table.Count} of {entries} entries");
        }
        return table;
    }

    /// <summary>
    /// A pinned walk of length keys: shuffles of keyOf(0 .. distinct-1), one after another (length is a
    /// multiple of distinct), from a fixed seed so every run walks the same keys.
    /// </summary>
    public static ulong[] Walk(int distinct, int length, Func<int, ulong> keyOf, int seed)
    {
        ulong[] walk = GC.AllocateUninitializedArray<ulong>(length, pinned: true);
        var random = new Random(seed);
        int[] order = new int[distinct];
        for (int i = 0; i < distinct; i++)
        {
            order[i] = i;
        }
        for (int start = 0; start < length; start += distinct)
        {
            random.Shuffle(order);
            for (int i = 0; i < distinct; i++)
            {
                walk[start + i] = keyOf(order[i]);
            }
        }
        return walk;
    }
}
