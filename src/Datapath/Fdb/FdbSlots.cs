// One generation of the FDB's storage, Swiss-table style: groups of 16 slots, a tag byte per slot
// (7 hash bits, or Empty / Tombstone), and three parallel arrays so the write-hot value words never
// share a cache line with the keys and tags that every lookup reads. Poll-loop threads probe here and
// claim and CAS slots lock-free (FdbSlots.Learning.cs); control-plane threads (under FdbTable's lock)
// tombstone slots and fill a fresh, still private generation. FdbTable.cs explains how tombstones are reclaimed; the
// port generations (flush by port) and the counts of present entries travel with each generation.
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FastBridge.Datapath.Fdb;

internal sealed partial class FdbSlots
{
    public const int GroupSize = 16;

    // A full slot's tag is 0..127 (high bit clear). Empty slots start with a zero key; a slot whose key
    // is claimed keeps the Empty tag until its value is written, then the tag is published.
    private const byte Empty = 0x80;
    private const byte Tombstone = 0xFE;

    private readonly byte[] _tags;
    private readonly ulong[] _keys;
    private readonly FdbValue[] _values;
    private readonly nuint _groupMask;
    private readonly FdbPortGenerations _generations;

    // Set under FdbTable's lock by a flush before it bumps a generation; cleared by the ager once a whole
    // pass begun after the last flush has reclaimed every flushed entry. Read once per burst by the datapath.
    private bool _mayHoldFlushed;

    // Live plus claimed-not-yet-published entries: the MaxEntries gate. Inserts on every core write it,
    // so it sits on its own cache line, away from the array references every lookup reads.
    private PaddedCount _count;

    /// <param name="generations">The port generations this storage counts its entries under (FdbPortGenerations.CopyGenerations for a rebuild).</param>
    public FdbSlots(int groupCount, FdbPortGenerations generations)
    {
        Debug.Assert(BitOperations.IsPow2(groupCount));
        int slots = groupCount * GroupSize;
        // Pinned (POH) so a prefetch may take a raw address; old generations are freed by the GC once
        // no thread still holds them, which is what makes the swap-and-forget rebuild safe.
        _tags = GC.AllocateUninitializedArray<byte>(slots, pinned: true);
        _tags.AsSpan().Fill(Empty);
        _keys = GC.AllocateArray<ulong>(slots, pinned: true);
        _values = GC.AllocateArray<FdbValue>(slots, pinned: true);
        _groupMask = (nuint)(groupCount - 1);
        _generations = generations;
    }

    public FdbPortGenerations Generations => _generations;

    public int SlotCount => _tags.Length;

    /// <summary>Live, stale and claimed-not-yet-written slots: what MaxEntries caps.</summary>
    public int Count => Volatile.Read(ref _count.Value);

    /// <summary>Whether flushed (stale) entries may still sit here; while false, every present entry is current.</summary>
    public bool MayHoldFlushed
    {
        get => Volatile.Read(ref _mayHoldFlushed);
        set => Volatile.Write(ref _mayHoldFlushed, value);
    }

    /// <summary>Tombstones in this generation; written by the control plane only (under the lock).</summary>
    public int Tombstones { get; private set; }

    /// <summary>The slot of the present entry for key, or -1; a stale one counts (see IsCurrent). Lock-free; any thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(ulong key, ulong hash, out FdbValue value)
    {
        ref byte tags0 = ref MemoryMarshal.GetArrayDataReference(_tags);
        ref ulong keys0 = ref MemoryMarshal.GetArrayDataReference(_keys);
        ref FdbValue values0 = ref MemoryMarshal.GetArrayDataReference(_values);
        byte tag = FdbHash.Tag(hash);
        Vector128<byte> wanted = Vector128.Create(tag);
        nuint group = FdbHash.Group(hash, _groupMask);
        for (nuint probe = 1; probe <= _groupMask + 1; probe++)
        {
            nuint first = group * GroupSize;
            Vector128<byte> tags = Vector128.LoadUnsafe(ref tags0, first);
            uint matches = Vector128.Equals(tags, wanted).ExtractMostSignificantBits();
            while (matches != 0)
            {
                nuint slot = first + (nuint)BitOperations.TrailingZeroCount(matches);
                matches &= matches - 1;
                // The vector load gives no ordering; this acquire re-read of the tag orders the key and
                // value reads after it, pairing with the inserter's publish after its value write.
                if (Volatile.Read(ref Unsafe.Add(ref tags0, slot)) == tag && Unsafe.Add(ref keys0, slot) == key)
                {
                    value = FdbValue.Read(ref Unsafe.Add(ref values0, slot));
                    if (value.IsPresent)
                    {
                        return (int)slot;
                    }
                }
            }
            // Inserts take the first empty slot of the probe sequence, so a group with an empty slot ends it.
            if (Vector128.EqualsAny(tags, Vector128.Create(Empty)))
            {
                break;
            }
            group = (group + probe) & _groupMask; // triangular probing visits every group of a power-of-two table
        }
        value = default;
        return -1;
    }

    /// <summary>Whether a present entry is of its owner's current generation, i.e. not flushed. Lock-free; any thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsCurrent(FdbValue value) => _generations.IsCurrent(value);

    public FdbValue ReadValue(int slot) => FdbValue.Read(ref _values[slot]);

    /// <summary>CASes the slot from <paramref name="expected"/> to the same entry seen at <paramref name="lastSeen"/>; returns the value seen (it worked if that is expected). Counts do not change.</summary>
    public FdbValue Restamp(int slot, FdbValue expected, uint lastSeen) => FdbValue.CompareExchange(ref _values[slot], expected.WithLastSeen(lastSeen), expected);

    /// <summary>Replaces whatever value a found or claimed slot has (control plane: static and dynamic adds).</summary>
    public void Overwrite(int slot, FdbValue value)
    {
        ref FdbValue cell = ref _values[slot];
        FdbValue current = FdbValue.Read(ref cell);
        while (true)
        {
            FdbValue seen = FdbValue.CompareExchange(ref cell, value, current);
            if (seen == current)
            {
                _generations.Replaced(current, value);
                return;
            }
            current = seen;
        }
    }

    /// <summary>
    /// Removes the entry if its value is still <paramref name="expected"/>: CAS to Dead (so a racing refresh
    /// or move either lands first and fails this, or fails itself), then tombstone the tag. Control plane only.
    /// </summary>
    public bool TryKill(int slot, FdbValue expected)
    {
        if (FdbValue.CompareExchange(ref _values[slot], FdbValue.Dead, expected) != expected)
        {
            return false;
        }
        Volatile.Write(ref _tags[slot], Tombstone);
        _generations.Replaced(expected, FdbValue.Dead);
        Interlocked.Decrement(ref _count.Value);
        Tombstones++;
        return true;
    }

    /// <summary>Bit i set: slot i of the group is published (present, stale, or being removed). Control plane (sweeps).</summary>
    public uint Published(int group) =>
        ~Vector128.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(_tags), (nuint)group * GroupSize).ExtractMostSignificantBits() & 0xFFFF;

    /// <summary>The key and value of a published, present (perhaps stale) slot. Control plane (sweeps, copies).</summary>
    public bool TryGetLive(int slot, out ulong key, out FdbValue value)
    {
        key = 0;
        value = default;
        if ((Volatile.Read(ref _tags[slot]) & Empty) != 0)
        {
            return false;
        }
        key = Volatile.Read(ref _keys[slot]);
        value = FdbValue.Read(ref _values[slot]);
        return value.IsPresent;
    }

    /// <summary>Inserts a current entry into a generation no other thread can see yet (a rebuild): plain writes, no races.</summary>
    public void PlaceFresh(ulong key, FdbValue value)
    {
        ulong hash = FdbHash.Hash(key);
        nuint group = FdbHash.Group(hash, _groupMask);
        for (nuint probe = 1; probe <= _groupMask + 1; probe++)
        {
            nuint first = group * GroupSize;
            uint free = Vector128.Equals(Vector128.LoadUnsafe(ref _tags[0], first), Vector128.Create(Empty)).ExtractMostSignificantBits();
            if (free != 0)
            {
                nuint slot = first + (nuint)BitOperations.TrailingZeroCount(free);
                _keys[slot] = key;
                _values[slot] = value;
                _tags[slot] = FdbHash.Tag(hash);
                _count.Value++;
                _generations.AddedPrivately(value);
                return;
            }
            group = (group + probe) & _groupMask;
        }
        throw new UnreachableException("a rebuild holds at most MaxEntries, half the slots");
    }

    /// <summary>
    /// Prefetches the home group's tags and the first line of its keys. Inserts fill a group from slot 0
    /// and the table stays under half full of live entries, so most entries sit in the first eight slots.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void Prefetch(ulong hash)
    {
        if (Sse.IsSupported)
        {
            nuint first = FdbHash.Group(hash, _groupMask) * GroupSize;
            Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_tags), first)));
            Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_keys), first)));
        }
    }

    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private struct PaddedCount
    {
        [FieldOffset(64)]
        public int Value;
    }
}
