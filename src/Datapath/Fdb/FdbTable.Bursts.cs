// The poll loops' side of the FDB, a burst at a time: hash a chunk of keys with SIMD, prefetch their
// groups, then probe or learn each (LearnNew is the slow path of a new station). Each loop is compiled
// twice, with and without the generation compare (IFlushedEntries); FdbTable.cs says when each runs.
// Lock-free, no allocation, no exceptions; any number of poll-loop threads at once.
using System.Runtime.CompilerServices;

namespace FastBridge.Datapath.Fdb;

public sealed partial class FdbTable
{
    /// <summary>Keys hashed and prefetched together: the 32 hashes fit on the stack in 256 bytes.</summary>
    private const int HashChunk = 32;

    private static void LookupChunks<TFlushed>(FdbSlots slots, ReadOnlySpan<ulong> keys, Span<int> ports) where TFlushed : struct, IFlushedEntries
    {
        Span<ulong> hashes = stackalloc ulong[HashChunk];
        for (int start = 0; start < keys.Length; start += HashChunk)
        {
            ReadOnlySpan<ulong> chunk = keys.Slice(start, Math.Min(HashChunk, keys.Length - start));
            HashAndPrefetch(slots, chunk, hashes);
            for (int i = 0; i < chunk.Length; i++)
            {
                ports[start + i] = PortOf<TFlushed>(slots, chunk[i], hashes[i]);
            }
        }
    }

    private void LearnChunks<TFlushed>(FdbSlots slots, ReadOnlySpan<ulong> keys, int port, uint now, ref FdbLearnCounts counts, StationMoves? moves)
        where TFlushed : struct, IFlushedEntries
    {
        Span<ulong> hashes = stackalloc ulong[HashChunk];
        for (int start = 0; start < keys.Length; start += HashChunk)
        {
            ReadOnlySpan<ulong> chunk = keys.Slice(start, Math.Min(HashChunk, keys.Length - start));
            HashAndPrefetch(slots, chunk, hashes);
            for (int i = 0; i < chunk.Length; i++)
            {
                if (chunk[i] == 0)
                {
                    continue;
                }
                switch (LearnOne<TFlushed>(slots, chunk[i], hashes[i], port, now))
                {
                    case LearnOutcome.Learned: counts.Learned++; break;
                    case LearnOutcome.Moved:
                        counts.Moved++;
                        moves?.Record(chunk[i], port);
                        break;
                    case LearnOutcome.TableFull: counts.Full++; break;
                }
            }
        }
    }

    private LearnOutcome LearnOne<TFlushed>(FdbSlots slots, ulong key, ulong hash, int port, uint now) where TFlushed : struct, IFlushedEntries
    {
        int slot = slots.Find(key, hash, out _);
        if (slot >= 0 && slots.TryRefresh<TFlushed>(slot, port, now, out LearnOutcome outcome))
        {
            return outcome;
        }
        return LearnNew(slots, key, hash, port, now);
    }

    // The slow path, taken once per new station: claim a slot (or join the thread that just did).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private LearnOutcome LearnNew(FdbSlots slots, ulong key, ulong hash, int port, uint now)
    {
        int slot = slots.FindOrClaim(key, hash, MaxEntries, out bool claimed);
        if (slot < 0)
        {
            return LearnOutcome.TableFull;
        }
        if (!claimed)
        {
            // Present: refresh or move it. Unwritten: another core is learning it from this very burst, or
            // it is being removed; either way leaving it alone loses nothing the next frame cannot redo.
            return slots.TryRefresh<SomeFlushed>(slot, port, now, out LearnOutcome outcome) ? outcome : LearnOutcome.Unchanged;
        }
        // Only the control plane can have written between our claim and our fill (an add joining us); its value wins.
        FdbValue before = slots.Fill(slot, slots.NewDynamic(port, now));
        slots.Publish(slot, hash);
        return before.IsUnwritten ? LearnOutcome.Learned : before.IsStatic ? LearnOutcome.Static : LearnOutcome.Unchanged;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int PortOf<TFlushed>(FdbSlots slots, ulong key, ulong hash) where TFlushed : struct, IFlushedEntries =>
        slots.Find(key, hash, out FdbValue value) >= 0 && (!default(TFlushed).MayExist || slots.IsCurrent(value)) ? value.Port : Miss;

    private static void HashAndPrefetch(FdbSlots slots, ReadOnlySpan<ulong> keys, Span<ulong> hashes)
    {
        FdbHash.HashBatch(keys, hashes);
        for (int i = 0; i < keys.Length; i++)
        {
            slots.Prefetch(hashes[i]);
        }
    }
}
