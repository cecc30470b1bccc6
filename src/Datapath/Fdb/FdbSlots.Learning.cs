// How poll-loop threads write into one storage generation, lock-free: claim the first empty slot of a
// key's probe sequence (or join the thread that just did), fill its value, publish its tag, and refresh,
// move or re-learn a known entry by CAS of its value word. FdbTable.cs states why this is safe.
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FastBridge.Datapath.Fdb;

internal sealed partial class FdbSlots
{
    /// <summary>
    /// The slot holding key (present, or claimed by another thread and not yet written), or a slot newly
    /// claimed for it by CAS of the key into the first empty slot of the probe sequence (claimed = true;
    /// the caller must then Fill and Publish it). -1 when Count reached maxEntries or no slot is empty.
    /// Lock-free; any thread.
    /// </summary>
    public int FindOrClaim(ulong key, ulong hash, int maxEntries, out bool claimed)
    {
        Debug.Assert(key != 0, "key 0 marks an empty slot");
        claimed = false;
        bool reserved = false;
        ref byte tags0 = ref MemoryMarshal.GetArrayDataReference(_tags);
        ref ulong keys0 = ref MemoryMarshal.GetArrayDataReference(_keys);
        Vector128<byte> wanted = Vector128.Create(FdbHash.Tag(hash));
        nuint group = FdbHash.Group(hash, _groupMask);
        for (nuint probe = 1; probe <= _groupMask + 1; probe++)
        {
            nuint first = group * GroupSize;
            Vector128<byte> tags = Vector128.LoadUnsafe(ref tags0, first);
            // Only slots tagged Empty (free, or claimed and unpublished) or with our tag can hold our key
            // or a zero key; a tombstone holding our key is dead.
            uint candidates = (Vector128.Equals(tags, wanted) | Vector128.Equals(tags, Vector128.Create(Empty))).ExtractMostSignificantBits();
            while (candidates != 0)
            {
                nuint slot = first + (nuint)BitOperations.TrailingZeroCount(candidates);
                candidates &= candidates - 1;
                ref ulong keyCell = ref Unsafe.Add(ref keys0, slot);
                ulong seen = Volatile.Read(ref keyCell);
                if (seen == 0)
                {
                    if (!reserved && !TryReserve(maxEntries))
                    {
                        return -1;
                    }
                    reserved = true;
                    seen = Interlocked.CompareExchange(ref keyCell, key, 0);
                    if (seen == 0)
                    {
                        claimed = true;
                        return (int)slot;
                    }
                    // Lost the race: the winner's key is now fixed in this slot; if it is ours, join it.
                }
                if (seen == key && IsLiveOrUnwritten((int)slot))
                {
                    if (reserved)
                    {
                        Interlocked.Decrement(ref _count.Value);
                    }
                    return (int)slot;
                }
            }
            group = (group + probe) & _groupMask;
        }
        if (reserved)
        {
            Interlocked.Decrement(ref _count.Value);
        }
        return -1;
    }

    /// <summary>Writes the first value of a claimed slot; returns what was there (unwritten when it took).</summary>
    public FdbValue Fill(int slot, FdbValue value)
    {
        FdbValue before = FdbValue.CompareExchange(ref _values[slot], value, default);
        if (before.IsUnwritten)
        {
            _generations.Replaced(before, value);
            RewriteIfFlushed(slot, value);
        }
        return before;
    }

    /// <summary>A dynamic entry on port as of now, in the port's current generation.</summary>
    public FdbValue NewDynamic(int port, uint now) => FdbValue.Dynamic(port, now, _generations.Current(FdbPortGenerations.Owner(port, isStatic: false)));

    /// <summary>A static entry on port, in the port's current generation of static entries.</summary>
    public FdbValue NewStatic(int port) => FdbValue.Static(port, _generations.Current(FdbPortGenerations.Owner(port, isStatic: true)));

    /// <summary>Makes a claimed slot visible to lookups. CAS from Empty so a tombstone is never revived.</summary>
    public void Publish(int slot, ulong hash) => Interlocked.CompareExchange(ref _tags[slot], FdbHash.Tag(hash), Empty);

    /// <summary>
    /// The learn of a known key: writes the value word only if the port changed or the stamp moves forward,
    /// so a hot entry is not rewritten by every frame on every core; a stale entry (flushed with its port,
    /// static or not) is learned afresh. False if the entry is not present (unwritten, or being removed).
    /// </summary>
    /// <typeparam name="TFlushed">Whether flushed entries may exist (MayHoldFlushed, read once per burst).</typeparam>
    public bool TryRefresh<TFlushed>(int slot, int port, uint now, out LearnOutcome outcome) where TFlushed : struct, IFlushedEntries
    {
        ref FdbValue cell = ref _values[slot];
        FdbValue current = FdbValue.Read(ref cell);
        while (true)
        {
            if (!current.IsPresent)
            {
                outcome = LearnOutcome.Unchanged;
                return false;
            }
            FdbValue next;
            if (default(TFlushed).MayExist && !IsCurrent(current))
            {
                next = NewDynamic(port, now);
                outcome = LearnOutcome.Learned;
            }
            else if (current.IsStatic)
            {
                outcome = LearnOutcome.Static;
                return true;
            }
            else
            {
                bool samePort = current.Port == port;
                bool newer = (int)(now - current.LastSeen) > 0; // another core may pass a `now` a second behind
                if (samePort && !newer)
                {
                    outcome = LearnOutcome.Unchanged;
                    return true;
                }
                next = samePort ? current.WithLastSeen(now) : NewDynamic(port, newer ? now : current.LastSeen);
                outcome = samePort ? LearnOutcome.Refreshed : LearnOutcome.Moved;
            }
            FdbValue seen = FdbValue.CompareExchange(ref cell, next, current);
            if (seen == current)
            {
                _generations.Replaced(current, next);
                if (!next.CountedAs(current))
                {
                    RewriteIfFlushed(slot, next);
                }
                return true;
            }
            current = seen;
        }
    }

    // After writing a dynamic value with a generation just read: a flush may have bumped that generation in
    // between. Then rewrite it in the new generation, unless another thread has written the slot since, so
    // no learner leaves a flushed value behind (once MayHoldFlushed is cleared, nothing would find it).
    private void RewriteIfFlushed(int slot, FdbValue written)
    {
        while (!IsCurrent(written))
        {
            FdbValue fresh = NewDynamic(written.Port, written.LastSeen);
            if (FdbValue.CompareExchange(ref _values[slot], fresh, written) != written)
            {
                return;
            }
            _generations.Replaced(written, fresh);
            written = fresh;
        }
    }

    private bool TryReserve(int maxEntries)
    {
        // Read first: a full table under a flood of new sources must not have every core hammering the line.
        if (Volatile.Read(ref _count.Value) >= maxEntries)
        {
            return false;
        }
        if (Interlocked.Increment(ref _count.Value) > maxEntries)
        {
            Interlocked.Decrement(ref _count.Value);
            return false;
        }
        return true;
    }

    private bool IsLiveOrUnwritten(int slot) =>
        Volatile.Read(ref _tags[slot]) != Tombstone && !FdbValue.Read(ref _values[slot]).IsDead;
}
