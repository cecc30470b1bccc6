// The 8-byte value word of one FDB slot: port, static flag, port generation and last-seen stamp,
// written with one atomic store or compare-and-swap so a reader can never see a torn entry. Poll-loop
// threads read and CAS it (refresh, move, insert); control-plane threads CAS it to Dead to remove an entry.
using System.Runtime.CompilerServices;

namespace FastBridge.Datapath.Fdb;

/// <remarks>
/// Bits 0..31 last-seen, 32..43 port, 44 static, 45..60 port generation, 62 dead, 63 present. The present
/// bit keeps every live value non-zero, so 0 can mean "slot claimed, value not written yet" and Dead
/// "being removed". Port and static flag (bits 32..44) name the entry's owner, whose generation
/// (FdbPortGenerations) the entry must carry to count as present.
/// </remarks>
internal readonly record struct FdbValue(ulong Bits)
{
    private const int PortShift = 32;
    private const ulong PortMask = FdbTable.MaxPort;
    private const ulong StaticBit = 1UL << 44;
    private const int GenerationShift = 45;
    private const ulong DeadBit = 1UL << 62;
    private const ulong PresentBit = 1UL << 63;
    private const ulong LastSeenMask = uint.MaxValue;

    /// <summary>Presence, port, static flag and port generation: what decides where an entry is counted.</summary>
    private const ulong CountedAsMask = PresentBit | (((1UL << (GenerationShift + 16)) - 1) & ~LastSeenMask);

    public static FdbValue Dead => new(DeadBit);

    public static FdbValue Dynamic(int port, uint lastSeen, ushort generation) =>
        new(PresentBit | ((ulong)generation << GenerationShift) | (((ulong)port & PortMask) << PortShift) | lastSeen);

    public static FdbValue Static(int port, ushort generation) =>
        new(PresentBit | ((ulong)generation << GenerationShift) | StaticBit | (((ulong)port & PortMask) << PortShift));

    public bool IsPresent => (Bits & PresentBit) != 0;

    /// <summary>Claimed by an insert whose value is not written yet.</summary>
    public bool IsUnwritten => Bits == 0;

    public bool IsDead => Bits == DeadBit;

    public bool IsStatic => (Bits & StaticBit) != 0;

    public int Port => (int)((Bits >> PortShift) & PortMask);

    /// <summary>Port and static flag in 13 bits: FdbPortGenerations.Owner(Port, IsStatic).</summary>
    public int Owner => (int)((Bits >> PortShift) & ((PortMask << 1) | 1));

    /// <summary>The generation of its owner this entry was written in.</summary>
    public ushort Generation => (ushort)(Bits >> GenerationShift);

    public uint LastSeen => (uint)Bits;

    /// <summary>The same entry seen at a later second.</summary>
    public FdbValue WithLastSeen(uint lastSeen) => new((Bits & ~LastSeenMask) | lastSeen);

    /// <summary>Both present, of the same owner and port generation, or both not present: replacing one with the other leaves the counts alone.</summary>
    public bool CountedAs(FdbValue other) => ((Bits ^ other.Bits) & CountedAsMask) == 0;

    public static FdbValue Read(ref FdbValue cell) => new(Volatile.Read(ref Unsafe.As<FdbValue, ulong>(ref cell)));

    /// <summary>Returns the value seen; the swap happened if that equals <paramref name="comparand"/>.</summary>
    public static FdbValue CompareExchange(ref FdbValue cell, FdbValue value, FdbValue comparand) =>
        new(Interlocked.CompareExchange(ref Unsafe.As<FdbValue, ulong>(ref cell), value.Bits, comparand.Bits));
}
