// The FDB map: an open-addressed table of (key, FastPathEntry) slots in one mmapable BPF array, which the
// control plane writes in place and the program reads with one inlined array lookup and eight compares,
// no hash-map helper. Why not a BPF HASH map: under the e2e bench's load its two lookups per frame (jhash,
// a bucket, an element, a memcmp call each) were most of the program's cost. Measured with program-cost.sh
// on 2026-12-03: the program with the HASH map 224-242 ns per frame, and still 212 with its stamp, counters,
// drain, port checks and length left out; this table 143-152; the bare redirect 78-91 (bench/README.md).
// Layout: groups of SlotsPerGroup slots of SlotBytes bytes (four cache lines); a key's group is the top
// FdbGroupBits bits of (key | KeyInUse) * HashMultiplier, the same product in the program; it lives in the
// first free slot of its group. A slot's key is 0 (never used), Tombstone (freed) or the key | KeyInUse.
// Writes: a published slot is never changed by us, only by the program (LastSeen, and Port when its station
// moved): a new value goes into another free slot, published by its key's store after the entry's (x86 keeps
// stores in order, and a reader loads the key before the entry), and then the old slot is freed. A freed slot
// is reused only two seconds later, so a program that matched its key still reads the entry it matched.
// A key whose group is full is not written: its frames take the poll loops, which is always correct.
// One caller at a time (FdbMirror under the control lock; tests).
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Interop;

namespace FastBridge.Datapath.Xdp;

public sealed unsafe partial class FastPathMaps
{
    internal const int SlotBytes = 32, SlotsPerGroup = 8, GroupBytes = SlotBytes * SlotsPerGroup;

    /// <summary>Where a slot's key and entry are.</summary>
    internal const short SlotKey = 0, SlotEntry = 8;

    /// <summary>Set in every key in use (FdbKey uses bits 0-59), so that 0 is an empty slot.</summary>
    internal const ulong KeyInUse = 1UL << 63;

    /// <summary>A freed slot's key: not in use, not empty; its entry's LastSeen holds when it was freed.</summary>
    internal const ulong Tombstone = 1;

    /// <summary>Fibonacci hashing: 2^64 / the golden ratio.</summary>
    internal const ulong HashMultiplier = 0x9E37_79B9_7F4A_7C15;

    /// <summary>Seconds a freed slot waits before it takes another key.</summary>
    private const uint TombstoneSeconds = 2;

    /// <summary>At most 2^17 groups (a million slots, 32 MB): an --fdb-max above half a million fills groups more.</summary>
    private const int MaxGroupBits = 17;

    private byte* _fdb;
    private nuint _fdbLength;

    /// <summary>log2 of the table's groups: twice --fdb-max slots, at least two groups.</summary>
    internal int FdbGroupBits { get; private set; }

    private int FdbGroups => 1 << FdbGroupBits;

    /// <summary>
    /// fdb[key] = entry, in a slot of its own; false when the key's group has no free slot (then the key is not in
    /// the table at all, so no older entry stays behind).
    /// </summary>
    public bool Write(ulong key, in FastPathEntry entry)
    {
        ulong tagged = key | KeyInUse;
        byte* group = Group(tagged);
        uint now = FdbClock.Now;
        int free = -1;
        for (int i = 0; i < SlotsPerGroup && free < 0; i++)
        {
            ulong held = Volatile.Read(ref *Key(group, i));
            if (held == 0 || (held == Tombstone && now - Entry(group, i)->LastSeen >= TombstoneSeconds))
            {
                free = i;
            }
        }
        if (free >= 0)
        {
            *Entry(group, free) = entry;
            Volatile.Write(ref *Key(group, free), tagged);
        }
        for (int i = 0; i < SlotsPerGroup; i++)
        {
            if (i != free && Volatile.Read(ref *Key(group, i)) == tagged)
            {
                Free(group, i, now);
            }
        }
        return free >= 0;
    }

    public bool TryRead(ulong key, out FastPathEntry entry)
    {
        ulong tagged = key | KeyInUse;
        byte* group = Group(tagged);
        for (int i = 0; i < SlotsPerGroup; i++)
        {
            if (Volatile.Read(ref *Key(group, i)) == tagged)
            {
                entry = *Entry(group, i);
                return true;
            }
        }
        entry = default;
        return false;
    }

    public void Delete(ulong key)
    {
        ulong tagged = key | KeyInUse;
        byte* group = Group(tagged);
        for (int i = 0; i < SlotsPerGroup; i++)
        {
            if (Volatile.Read(ref *Key(group, i)) == tagged)
            {
                Free(group, i, FdbClock.Now);
            }
        }
    }

    /// <summary>Every key in the table now (for tests and checks).</summary>
    public List<ulong> Keys()
    {
        var keys = new List<ulong>();
        for (long group = 0; group < FdbGroups; group++)
        {
            for (int i = 0; i < SlotsPerGroup; i++)
            {
                ulong held = Volatile.Read(ref *Key(_fdb + group * GroupBytes, i));
                if ((held & KeyInUse) != 0)
                {
                    keys.Add(held & ~KeyInUse);
                }
            }
        }
        return keys;
    }

    /// <summary>The group of a key in use: the program's computation (FastPathProgram.LookupFdb).</summary>
    internal static uint GroupOf(ulong tagged, int groupBits) => (uint)((tagged * HashMultiplier) >> (64 - groupBits));

    private byte* Group(ulong tagged) => _fdb + (nint)GroupOf(tagged, FdbGroupBits) * GroupBytes;

    private static ulong* Key(byte* group, int slot) => (ulong*)(group + slot * SlotBytes + SlotKey);

    private static FastPathEntry* Entry(byte* group, int slot) => (FastPathEntry*)(group + slot * SlotBytes + SlotEntry);

    private static void Free(byte* group, int slot, uint now)
    {
        Entry(group, slot)->LastSeen = now;
        Volatile.Write(ref *Key(group, slot), Tombstone);
    }

    private static int GroupBitsFor(int fdbMaxEntries)
    {
        int bits = 1;
        while (bits < MaxGroupBits && ((long)SlotsPerGroup << bits) < 2L * fdbMaxEntries)
        {
            bits++;
        }
        return bits;
    }

    private static (uint Type, uint Key, uint Value, uint Max, uint Flags, string Name) FdbSpec(int groupBits) =>
        (Bpf.MapTypeArray, 4, GroupBytes, 1u << groupBits, Bpf.MapFlagMmapable, "fb_fdb");

    private void MapFdb(int groupBits)
    {
        FdbGroupBits = groupBits;
        _fdbLength = (nuint)((long)GroupBytes << groupBits);
        _fdb = MapArray(FdbFd, _fdbLength, "fb_fdb");
    }
}
