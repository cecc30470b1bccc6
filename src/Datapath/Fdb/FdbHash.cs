// Hashing of FDB keys, one at a time (scalar) or a burst at a time (Vector256, else Vector128, else
// scalar), and the split of a hash into a slot tag and a home group. Pure functions: any thread.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FastBridge.Datapath.Fdb;

internal static class FdbHash
{
    // Two rounds of multiply, then fold the high half onto the low half (the splitmix64 finaliser shape
    // with 32-bit folds). A multiply only moves entropy upwards, so each fold brings the well-mixed high
    // bits down to where we use them: the low 7 bits become the tag, the bits above pick the group.
    // The same operations exist lane-wise on Vector128/256<ulong>, so every path gives the same hash.
    private const ulong Multiplier1 = 0x9E37_79B9_7F4A_7C15;
    private const ulong Multiplier2 = 0xBF58_476D_1CE4_E5B9;
    private const int Fold = 32;

    /// <summary>Tag bits per slot; the tag byte's high bit marks the empty and tombstone states.</summary>
    public const int TagBits = 7;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Hash(ulong key)
    {
        ulong h = key * Multiplier1;
        h ^= h >> Fold;
        h *= Multiplier2;
        return h ^ (h >> Fold);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte Tag(ulong hash) => (byte)(hash & ((1UL << TagBits) - 1));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nuint Group(ulong hash, nuint groupMask) => (nuint)(hash >> TagBits) & groupMask;

    /// <summary>hashes[i] = Hash(keys[i]) with the widest accelerated vectors; hashes must be at least as long as keys.</summary>
    public static void HashBatch(ReadOnlySpan<ulong> keys, Span<ulong> hashes)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            HashVector256(keys, hashes);
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            HashVector128(keys, hashes);
        }
        else
        {
            HashScalar(keys, hashes);
        }
    }

    internal static void HashScalar(ReadOnlySpan<ulong> keys, Span<ulong> hashes)
    {
        hashes = hashes[..keys.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            hashes[i] = Hash(keys[i]);
        }
    }

    internal static void HashVector256(ReadOnlySpan<ulong> keys, Span<ulong> hashes)
    {
        hashes = hashes[..keys.Length];
        ref ulong source = ref MemoryMarshal.GetReference(keys);
        ref ulong target = ref MemoryMarshal.GetReference(hashes);
        Vector256<ulong> multiplier1 = Vector256.Create(Multiplier1);
        Vector256<ulong> multiplier2 = Vector256.Create(Multiplier2);
        int i = 0;
        for (; i <= keys.Length - Vector256<ulong>.Count; i += Vector256<ulong>.Count)
        {
            Vector256<ulong> h = Vector256.LoadUnsafe(ref source, (nuint)i) * multiplier1;
            h ^= Vector256.ShiftRightLogical(h, Fold);
            h *= multiplier2;
            h ^= Vector256.ShiftRightLogical(h, Fold);
            h.StoreUnsafe(ref target, (nuint)i);
        }
        HashScalar(keys[i..], hashes[i..]);
    }

    internal static void HashVector128(ReadOnlySpan<ulong> keys, Span<ulong> hashes)
    {
        hashes = hashes[..keys.Length];
        ref ulong source = ref MemoryMarshal.GetReference(keys);
        ref ulong target = ref MemoryMarshal.GetReference(hashes);
        Vector128<ulong> multiplier1 = Vector128.Create(Multiplier1);
        Vector128<ulong> multiplier2 = Vector128.Create(Multiplier2);
        int i = 0;
        for (; i <= keys.Length - Vector128<ulong>.Count; i += Vector128<ulong>.Count)
        {
            Vector128<ulong> h = Vector128.LoadUnsafe(ref source, (nuint)i) * multiplier1;
            h ^= Vector128.ShiftRightLogical(h, Fold);
            h *= multiplier2;
            h ^= Vector128.ShiftRightLogical(h, Fold);
            h.StoreUnsafe(ref target, (nuint)i);
        }
        HashScalar(keys[i..], hashes[i..]);
    }
}
