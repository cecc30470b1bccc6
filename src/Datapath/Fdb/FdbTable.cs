// The forwarding database: (VLAN, MAC) -> port. Poll-loop threads (one per core) call Lookup,
// LookupBatch, Learn and LearnBatch concurrently: lock-free, no allocation, no exceptions. Control-plane
// threads (the ager's tick, CLI, API) call the rest; they serialise on one lock that the datapath never
// takes, held for a flush, an add or remove, a snapshot, or one slice of the ager's sweep.
//
// Insertion: a key is CASed into the first empty slot (key 0) of its probe sequence; the winner writes the
// value word, then publishes the slot's tag; a loser re-reads the slot and joins it if the key is its own,
// else probes on. A slot's key never changes once claimed, within one generation of the storage.
//
// Flush by port: O(1), by a per-port generation (FdbPortGenerations). FlushPort and FlushAll bump
// generations under the lock; the flushed entries turn stale at once, stay in their slots (still "the one
// slot of their key") until the ager reclaims them, and a learner that finds its key stale learns it
// afresh in place. Comparing generations would cost every lookup a load and a compare behind the value's
// cache miss (+10-25% on the 64 Ki..1 Mi entry lookup benchmarks), so a flush also sets the storage's
// MayHoldFlushed, which the datapath reads once per burst: only while it is set do lookups and learns
// compare (the struct generic IFlushedEntries compiles both loops). The ager clears it after a whole pass
// begun after the last flush. A learner that read a generation just before a flush and wrote just after
// would leave a value stale from birth, which that pass may already have gone by; so after writing a new
// generation a learner checks it is still current and rewrites it if not (FdbSlots.RewriteIfFlushed).
// A burst that read MayHoldFlushed just before a flush may still find a flushed entry: it ran "before".
//
// Reclamation: removal (Remove, the ager's sweep, which also takes stale entries) CASes the value word to
// Dead and then tombstones the tag; tombstones are never reused in place. When a control-plane operation
// leaves more than a quarter of the slots tombstoned, it copies the current entries into a fresh storage
// generation (FdbSlots) off to the side and publishes it with one reference swap; the old generation is
// freed by the GC once no poll thread still holds it. This is safe because (1) within a generation keys
// are only ever added to empty slots, so the "first empty slot" rule, and thus "one live slot per key",
// holds for every racing inserter; (2) a learn that lands in the old generation after the copy is lost
// harmlessly, as the next frame from that station re-learns it, and the old generation's counts die with
// it, so nothing leaks; (3) static entries are written only under the lock, as are the copy and the
// flushes, and learning never rewrites a current static value, so a static entry is never lost.
// Bounds: live and stale entries <= MaxEntries <= half the slots, tombstones <= a quarter, so claimed
// slots stay under three quarters (well under the 7/8 where Swiss-table probes grow long). A port
// generation has 16 bits: before one could come round to a value stale entries still carry, a flush
// rebuilds (which drops every stale entry) first, once per 65535 flushes. (Only a learner stalled
// between reading a generation and writing it, across all those flushes, could still revive one entry.)
using System.Numerics;

namespace FastBridge.Datapath.Fdb;

public sealed partial class FdbTable
{
    public const int Miss = -1;

    /// <summary>Ports are 0..4095 and stored in 12 bits of the value word.</summary>
    public const int MaxPort = 4095;

    /// <summary>2^26 entries: 2^27 slots, 2.1 GiB of keys and values; far past any real bridge.</summary>
    internal const int MaxSupportedEntries = 1 << 26;

    private readonly Lock _control = new();
    private readonly int _groupCount;
    private FdbSlots _slots;
    private int _flushes;
    private int _flushesSinceRebuild;
    private (FdbSlots Slots, int Flushes) _agerPassStart;

    /// <param name="maxEntries">1 .. 2^26. Slots: at least twice this, in a power of two of 16-slot groups.</param>
    public FdbTable(int maxEntries)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxEntries, MaxSupportedEntries);
        MaxEntries = maxEntries;
        long groups = (2L * maxEntries + FdbSlots.GroupSize - 1) / FdbSlots.GroupSize;
        _groupCount = (int)BitOperations.RoundUpToPowerOf2((uint)groups);
        _slots = new FdbSlots(_groupCount, FdbPortGenerations.Create());
    }

    public int MaxEntries { get; }

    /// <summary>Present entries (not flushed); approximate while learners run. Sums 8192 per-owner counts: control plane.</summary>
    public int Count => Volatile.Read(ref _slots).Generations.Count();

    internal int SlotCount => _groupCount * FdbSlots.GroupSize;

    /// <summary>Groups of 16 slots, the unit the ager sweeps by.</summary>
    internal int GroupCount => _groupCount;

    /// <summary>Slots held by present, flushed-not-yet-reclaimed and in-flight entries: what MaxEntries caps.</summary>
    internal int SlotsInUse => Volatile.Read(ref _slots).Count;

    /// <summary>Whether lookups and learns compare generations now (a flush since the ager's last whole pass), for tests.</summary>
    internal bool MayHoldFlushed => Volatile.Read(ref _slots).MayHoldFlushed;

    /// <summary>Generations published by reclamation, for tests.</summary>
    internal int Rebuilds { get; private set; }

    public int Lookup(ulong key)
    {
        FdbSlots slots = Volatile.Read(ref _slots);
        ulong hash = FdbHash.Hash(key);
        return slots.MayHoldFlushed ? PortOf<SomeFlushed>(slots, key, hash) : PortOf<NoneFlushed>(slots, key, hash);
    }

    /// <summary>ports[i] = Lookup(keys[i]). Hashes a chunk of keys with SIMD, prefetches their groups, then probes.</summary>
    /// <exception cref="ArgumentException">ports is shorter than keys (a caller bug, never a runtime condition).</exception>
    public void LookupBatch(ReadOnlySpan<ulong> keys, Span<int> ports)
    {
        if (ports.Length < keys.Length)
        {
            throw new ArgumentException("ports must be at least as long as keys", nameof(ports));
        }
        FdbSlots slots = Volatile.Read(ref _slots);
        if (slots.MayHoldFlushed)
        {
            LookupChunks<SomeFlushed>(slots, keys, ports);
        }
        else
        {
            LookupChunks<NoneFlushed>(slots, keys, ports);
        }
    }

    /// <summary>Learns one source. Key 0 (the all-zero MAC on VLAN 0) is never learned: Unchanged.</summary>
    /// <remarks>port must be 0..MaxPort; not checked here, as the datapath never throws (the poll loop owns valid port ids).</remarks>
    public LearnOutcome Learn(ulong key, int port, uint now)
    {
        if (key == 0)
        {
            return LearnOutcome.Unchanged;
        }
        FdbSlots slots = Volatile.Read(ref _slots);
        ulong hash = FdbHash.Hash(key);
        return slots.MayHoldFlushed ? LearnOne<SomeFlushed>(slots, key, hash, port, now) : LearnOne<NoneFlushed>(slots, key, hash, port, now);
    }

    /// <summary>Learns all source keys of one burst, all from one ingress port, adding to counts; each station moved to the port goes to <paramref name="moves"/>.</summary>
    public void LearnBatch(ReadOnlySpan<ulong> keys, int port, uint now, ref FdbLearnCounts counts, StationMoves? moves = null)
    {
        FdbSlots slots = Volatile.Read(ref _slots);
        if (slots.MayHoldFlushed)
        {
            LearnChunks<SomeFlushed>(slots, keys, port, now, ref counts, moves);
        }
        else
        {
            LearnChunks<NoneFlushed>(slots, keys, port, now, ref counts, moves);
        }
    }

    /// <summary>Adds a static entry, or makes an existing entry static on this port. False if the table is full.</summary>
    /// <exception cref="ArgumentException">key is 0.</exception>
    /// <exception cref="ArgumentOutOfRangeException">port is outside 0..4095.</exception>
    public bool AddStatic(ulong key, int port)
    {
        Validate(key, port);
        lock (_control)
        {
            return Upsert(key, port, isStatic: true, now: 0);
        }
    }

    /// <summary>
    /// Adds a dynamic entry (what `bridge fdb add MAC dev IF` without `static` does), or replaces an
    /// existing one, static included, with it. False if the table is full. Throws as AddStatic does.
    /// </summary>
    public bool AddDynamic(ulong key, int port, uint now)
    {
        Validate(key, port);
        lock (_control)
        {
            return Upsert(key, port, isStatic: false, now);
        }
    }

    /// <summary>Removes the entry, static or dynamic. False if there was none.</summary>
    public bool Remove(ulong key)
    {
        lock (_control)
        {
            FdbSlots slots = _slots;
            int slot = slots.Find(key, FdbHash.Hash(key), out FdbValue value);
            if (slot < 0 || !slots.IsCurrent(value))
            {
                return false; // a flushed entry is already gone; the ager reclaims its slot
            }
            // A learner may refresh or move it meanwhile; retry with what it wrote.
            while (!slots.TryKill(slot, value))
            {
                value = slots.ReadValue(slot);
            }
            if (slots.Tombstones > slots.SlotCount / 4)
            {
                Rebuild(slots, default(KeepAll));
            }
            return true;
        }
    }

    /// <summary>
    /// Removes the dynamic entries on port, and its static ones too with <paramref name="withStatic"/> (the
    /// port leaves the bridge); returns how many. O(1): bumps the port's generations (see the header).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">port is outside 0..4095.</exception>
    public int FlushPort(int port, bool withStatic = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, MaxPort);
        lock (_control)
        {
            FdbPortGenerations generations = BeforeFlush().Generations;
            int flushed = generations.Bump(FdbPortGenerations.Owner(port, isStatic: false));
            return withStatic ? flushed + generations.Bump(FdbPortGenerations.Owner(port, isStatic: true)) : flushed;
        }
    }

    /// <summary>Removes all dynamic entries; returns how many. Bumps every port's generation of dynamic entries.</summary>
    public int FlushAll()
    {
        lock (_control)
        {
            FdbPortGenerations generations = BeforeFlush().Generations;
            int flushed = 0;
            for (int port = 0; port <= MaxPort; port++)
            {
                flushed += generations.Bump(FdbPortGenerations.Owner(port, isStatic: false));
            }
            return flushed;
        }
    }

    /// <summary>Clears into, then fills it with a snapshot of the live entries.</summary>
    public void CopyTo(List<FdbEntry> into)
    {
        into.Clear();
        lock (_control)
        {
            FdbSlots slots = _slots;
            for (int slot = 0; slot < slots.SlotCount; slot++)
            {
                if (slots.TryGetLive(slot, out ulong key, out FdbValue value) && slots.IsCurrent(value))
                {
                    into.Add(new FdbEntry(key, value.Port, value.IsStatic, value.LastSeen));
                }
            }
        }
    }

    // Under the lock.
    private bool Upsert(ulong key, int port, bool isStatic, uint now)
    {
        FdbSlots slots = _slots;
        FdbValue value = isStatic ? slots.NewStatic(port) : slots.NewDynamic(port, now);
        ulong hash = FdbHash.Hash(key);
        int slot = slots.FindOrClaim(key, hash, MaxEntries, out _);
        if (slot < 0)
        {
            return false;
        }
        // Whether we claimed it, found it present (or stale), or joined a learner's unwritten claim: our value wins,
        // and a learner's later Fill fails against it.
        slots.Overwrite(slot, value);
        slots.Publish(slot, hash);
        return true;
    }

    private static void Validate(ulong key, int port)
    {
        if (key == 0)
        {
            throw new ArgumentException("the all-zero MAC on VLAN 0 is never an FDB entry", nameof(key));
        }
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, MaxPort);
    }
}
