// A tiny eBPF assembler: just the instructions FastBridge's own programs use, encoded as the kernel's
// 8-byte struct bpf_insn { u8 code; u8 dst_reg:4, src_reg:4; s16 off; s32 imm; } in little-endian
// (Documentation/bpf/standardization/instruction-set.rst). Set-up code only.
namespace FastBridge.Datapath.Xdp;

internal static class BpfAssembler
{
    // Instruction classes, sizes, modes, ALU/JMP operations and sources (linux/bpf_common.h, linux/bpf.h).
    internal const byte ClassLd = 0x00, ClassLdx = 0x01, ClassSt = 0x02, ClassStx = 0x03, ClassAlu = 0x04, ClassJmp = 0x05, ClassAlu64 = 0x07;
    internal const byte SizeW = 0x00, SizeH = 0x08, SizeB = 0x10, SizeDw = 0x18;
    internal const byte ModeImm = 0x00, ModeMem = 0x60, ModeAtomic = 0xc0;
    internal const byte OpAdd = 0x00, OpSub = 0x10, OpMul = 0x20, OpDiv = 0x30, OpOr = 0x40, OpAnd = 0x50, OpLsh = 0x60, OpRsh = 0x70, OpMov = 0xb0, OpEnd = 0xd0;
    internal const byte OpJa = 0x00, OpJeq = 0x10, OpJgt = 0x20, OpJset = 0x40, OpJne = 0x50, OpJsgt = 0x60, OpCall = 0x80, OpExit = 0x90;
    internal const byte SourceK = 0x00, SourceX = 0x08;

    /// <summary>BPF_TO_BE in the source bit of a BPF_END: byte-swap on a little-endian machine.</summary>
    internal const byte ToBigEndian = 0x08;

    internal const byte R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5, R6 = 6, R7 = 7, R8 = 8, R9 = 9, R10 = 10;

    /// <summary>One bpf_insn as the little-endian ulong the kernel reads.</summary>
    internal static ulong Encode(byte code, byte dst, byte src, short off, int imm) =>
        code | (ulong)(byte)((src << 4) | (dst & 0xf)) << 8 | (ulong)(ushort)off << 16 | (ulong)(uint)imm << 32;

    /// <summary>dst = imm (64-bit, sign-extended).</summary>
    internal static ulong Mov64Imm(byte dst, int imm) => Encode(ClassAlu64 | OpMov | SourceK, dst, 0, 0, imm);

    /// <summary>dst = src (64-bit).</summary>
    internal static ulong Mov64Reg(byte dst, byte src) => Encode(ClassAlu64 | OpMov | SourceX, dst, src, 0, 0);

    /// <summary>dst = dst op imm (64-bit; op one of OpAdd, OpDiv, OpRsh, ...; the immediate is sign-extended, division unsigned).</summary>
    internal static ulong Alu64Imm(byte op, byte dst, int imm) => Encode((byte)(ClassAlu64 | op | SourceK), dst, 0, 0, imm);

    /// <summary>dst = dst op src (64-bit).</summary>
    internal static ulong Alu64Reg(byte op, byte dst, byte src) => Encode((byte)(ClassAlu64 | op | SourceX), dst, src, 0, 0);

    /// <summary>dst = the low <paramref name="bits"/> of dst in big-endian order (a byte swap on this machine).</summary>
    internal static ulong ToBigEndianBits(byte dst, int bits) => Encode(ClassAlu | OpEnd | ToBigEndian, dst, 0, 0, bits);

    /// <summary>dst = *(u32 *)(src + off).</summary>
    internal static ulong LoadWord(byte dst, byte src, short off) => Encode(ClassLdx | SizeW | ModeMem, dst, src, off, 0);

    /// <summary>dst = *(size *)(src + off), zero-extended; size one of SizeB, SizeH, SizeW, SizeDw.</summary>
    internal static ulong Load(byte size, byte dst, byte src, short off) => Encode((byte)(ClassLdx | size | ModeMem), dst, src, off, 0);

    /// <summary>*(size *)(dst + off) = src.</summary>
    internal static ulong Store(byte size, byte dst, short off, byte src) => Encode((byte)(ClassStx | size | ModeMem), dst, src, off, 0);

    /// <summary>*(u64 *)(dst + off) += src, atomically (BPF_ATOMIC with BPF_ADD, the old XADD; no fetch).</summary>
    internal static ulong AtomicAdd64(byte dst, short off, byte src) => Encode(ClassStx | SizeDw | ModeAtomic, dst, src, off, OpAdd);

    /// <summary>if (dst op imm) pc += off; op one of OpJeq, OpJne, OpJgt, OpJset (unsigned compares), OpJsgt (signed).</summary>
    internal static ulong JumpImm(byte op, byte dst, int imm, short off) => Encode((byte)(ClassJmp | op | SourceK), dst, 0, off, imm);

    /// <summary>if (dst op src) pc += off.</summary>
    internal static ulong JumpReg(byte op, byte dst, byte src, short off) => Encode((byte)(ClassJmp | op | SourceX), dst, src, off, 0);

    /// <summary>dst = the map behind <paramref name="mapFd"/>: a two-slot ld_imm64 with src_reg BPF_PSEUDO_MAP_FD.</summary>
    internal static (ulong First, ulong Second) LoadMapFd(byte dst, int mapFd) =>
        (Encode(ClassLd | SizeDw | ModeImm, dst, Interop.Bpf.PseudoMapFd, 0, mapFd), 0);

    /// <summary>
    /// dst = the address of byte <paramref name="offset"/> of the value of the single-entry array behind <paramref name="mapFd"/>
    /// (BPF_PSEUDO_MAP_VALUE: the kernel allows it for arrays of one entry only); no helper call, no null check.
    /// </summary>
    internal static (ulong First, ulong Second) LoadMapValue(byte dst, int mapFd, int offset) =>
        (Encode(ClassLd | SizeDw | ModeImm, dst, Interop.Bpf.PseudoMapValue, 0, mapFd), Encode(0, 0, 0, 0, offset));

    /// <summary>dst = <paramref name="value"/>: a two-slot ld_imm64 (a 64-bit constant no ALU immediate holds).</summary>
    internal static (ulong First, ulong Second) LoadImm64(byte dst, ulong value) =>
        (Encode(ClassLd | SizeDw | ModeImm, dst, 0, 0, (int)(uint)value), Encode(0, 0, 0, 0, (int)(uint)(value >> 32)));

    /// <summary>r0 = helper(r1..r5).</summary>
    internal static ulong Call(int helper) => Encode(ClassJmp | OpCall, 0, 0, 0, helper);

    /// <summary>return r0.</summary>
    internal static ulong Exit() => Encode(ClassJmp | OpExit, 0, 0, 0, 0);
}
