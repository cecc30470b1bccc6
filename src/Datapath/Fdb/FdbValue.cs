// The 8-byte value word of one FDB slot: port, static flag and last-seen stamp, written with one
// atomic store or compare-and-swap so a reader can never see a torn entry. Poll-loop threads read
// and CAS it (refresh, move, insert); control-plane threads CAS it to Dead to remove an entry.
using System.Runtime.CompilerServices;

namespace FastBridge.Datapath.Fdb;

/// <remarks>
/// Bits 0..31 last-seen, 32..47 port, 48 static, 62 dead, 63 present. The present bit keeps every live
/// value non-zero, so 0 can mean "slot claimed, value not written yet" and Dead "being removed".
/// </remarks>
internal readonly record struct FdbValue(ulong Bits)
{
    private const int PortShift = 32;
    private const ulong StaticBit = 1UL << 48;
    private const ulong DeadBit = 1UL << 62;
    private const ulong PresentBit = 1UL << 63;

    public static FdbValue Dead => new(DeadBit);

    public static FdbValue Dynamic(int port, uint lastSeen) => new(PresentBit | ((ulong)(ushort)port << PortShift) | lastSeen);

    public static FdbValue Static(int port) => new(PresentBit | StaticBit | ((ulong)(ushort)port << PortShift));

    public bool IsPresent => (Bits & PresentBit) != 0;

    /// <summary>Claimed by an insert whose value is not written yet.</summary>
    public bool IsUnwritten => Bits == 0;

    public bool IsDead => Bits == DeadBit;

    public bool IsStatic => (Bits & StaticBit) != 0;

    public int Port => (ushort)(Bits >> PortShift);

    public uint LastSeen => (uint)Bits;

    public static FdbValue Read(ref FdbValue cell) => new(Volatile.Read(ref Unsafe.As<FdbValue, ulong>(ref cell)));

    /// <summary>Returns the value seen; the swap happened if that equals <paramref name="comparand"/>.</summary>
    public static FdbValue CompareExchange(ref FdbValue cell, FdbValue value, FdbValue comparand) =>
        new(Interlocked.CompareExchange(ref Unsafe.As<FdbValue, ulong>(ref cell), value.Bits, comparand.Bits));
}
