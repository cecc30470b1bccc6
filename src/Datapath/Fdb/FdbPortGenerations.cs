// O(1) flush by port, VPP's way (l2_fib's per-interface sequence numbers). Entries have an owner, a
// port's dynamic entries or its static ones, and carry the generation their owner had when they were
// written; an entry is present only while that is still its owner's generation. A flush starts the
// owner's next generation: at once no lookup returns its entries, no snapshot lists them, no count
// counts them. They stay in their slots, stale, until the ager's next pass reclaims them, and a learner
// that meets one for its key simply learns it afresh, on whatever port it is now.
//
// Beside each generation, the number of present entries of that owner, in one word with the generation
// it counts for: a flush takes the count and starts the next generation at 0 in one exchange, and an
// update for an entry of an older generation (a learner that raced the flush) finds the word moved on
// and leaves it alone, so counts never drift. The generations every lookup reads live in their own
// array, apart from the words learners write when they learn a new station.
//
// One per storage generation (FdbSlots); a rebuild copies the generations and recounts. Poll loops read
// generations and update counts lock-free; Bump runs under FdbTable's lock.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastBridge.Datapath.Fdb;

internal readonly struct FdbPortGenerations
{
    /// <summary>Owners: the dynamic and the static entries of each of the 4096 ports, 16 KiB of generations.</summary>
    public const int Owners = 2 * (FdbTable.MaxPort + 1);

    // A word is (count << 32) | generation: adding or taking One never touches the generation, even
    // when a count is briefly below zero (a removal counted before the insert it removes).
    private const long One = 1L << 32;

    private readonly ushort[] _generations;
    private readonly long[] _words;

    private FdbPortGenerations(ushort[] generations, long[] words)
    {
        _generations = generations;
        _words = words;
    }

    public static FdbPortGenerations Create() => new(new ushort[Owners], new long[Owners]);

    public static int Owner(int port, bool isStatic) => isStatic ? port + FdbTable.MaxPort + 1 : port;

    /// <summary>For a fresh storage generation (a rebuild, under the lock): the same generations, nothing counted yet.</summary>
    public FdbPortGenerations CopyGenerations()
    {
        ushort[] generations = (ushort[])_generations.Clone();
        long[] words = new long[Owners];
        for (int owner = 0; owner < Owners; owner++)
        {
            words[owner] = generations[owner];
        }
        return new FdbPortGenerations(generations, words);
    }

    /// <summary>Whether the entry belongs to its owner's current generation. One load; any thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsCurrent(FdbValue value) =>
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_generations), value.Owner) == value.Generation;

    /// <summary>
    /// The owner's generation, for an entry about to be written. An acquire read: a later count update
    /// then sees the word at least as new, since Bump moves the word before the generation.
    /// </summary>
    public ushort Current(int owner) => Volatile.Read(ref _generations[owner]);

    /// <summary>One value replaced another in a slot (either may be unwritten or dead): moves the count if the owner or generation changed.</summary>
    public void Replaced(FdbValue before, FdbValue after)
    {
        if (!before.CountedAs(after))
        {
            Adjust(before, -One);
            Adjust(after, One);
        }
    }

    /// <summary>Counts a value placed in a storage generation no other thread sees yet (a rebuild).</summary>
    public void AddedPrivately(FdbValue value) => _words[value.Owner] += One;

    /// <summary>
    /// Starts the owner's next generation: its entries are stale from now on. Returns how many were present.
    /// Under FdbTable's lock; FdbTable rebuilds before a generation can come round to one stale entries still carry.
    /// </summary>
    public int Bump(int owner)
    {
        ushort next = (ushort)(_generations[owner] + 1);
        long before = Interlocked.Exchange(ref _words[owner], next); // the word first, then what lookups and learners read
        Volatile.Write(ref _generations[owner], next);
        return Math.Max(0, (int)(before >> 32)); // below 0 only while a learner's insert is still being counted
    }

    /// <summary>Present entries of every owner; approximate while learners run.</summary>
    public int Count()
    {
        long sum = 0;
        foreach (long word in _words)
        {
            sum += (int)(word >> 32);
        }
        return (int)Math.Max(0, sum);
    }

    // Counts value under its owner if it is present and of the generation the word counts for; a stale
    // value was already let go of by the Bump that made it stale.
    private void Adjust(FdbValue value, long delta)
    {
        if (!value.IsPresent)
        {
            return;
        }
        ref long word = ref _words[value.Owner];
        long seen = Volatile.Read(ref word);
        while ((ushort)seen == value.Generation)
        {
            long was = Interlocked.CompareExchange(ref word, seen + delta, seen);
            if (was == seen)
            {
                return;
            }
            seen = was;
        }
    }
}
