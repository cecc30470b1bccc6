// A tiny eBPF assembler: just the instructions FastBridge's own programs use, encoded as the kernel's
// 8-byte struct bpf_insn { u8 code; u8 dst_reg:4, src_reg:4; s16 off; s32 imm; } in little-endian
// (Documentation/bpf/standardization/instruction-set.rst). Set-up code only.
namespace FastBridge.Datapath.Xdp;

internal static class BpfAssembler
{
    // Instruction classes, sizes, modes, ALU/JMP operations and sources (linux/bpf_common.h, linux/bpf.h).
    internal const byte ClassLd = 0x00, ClassLdx = 0x01, ClassAlu64 = 0x07, ClassJmp = 0x05;
    internal const byte SizeW = 0x00, SizeDw = 0x18;
    internal const byte ModeImm = 0x00, ModeMem = 0x60;
    internal const byte OpMov = 0xb0, OpCall = 0x80, OpExit = 0x90;
    internal const byte SourceK = 0x00;

    internal const byte R0 = 0, R1 = 1, R2 = 2, R3 = 3;

    /// <summary>One bpf_insn as the little-endian ulong the kernel reads.</summary>
    internal static ulong Encode(byte code, byte dst, byte src, short off, int imm) =>
        code | (ulong)(byte)((src << 4) | (dst & 0xf)) << 8 | (ulong)(ushort)off << 16 | (ulong)(uint)imm << 32;

    /// <summary>dst = imm (64-bit, sign-extended).</summary>
    internal static ulong Mov64Imm(byte dst, int imm) => Encode(ClassAlu64 | OpMov | SourceK, dst, 0, 0, imm);

    /// <summary>dst = *(u32 *)(src + off).</summary>
    internal static ulong LoadWord(byte dst, byte src, short off) => Encode(ClassLdx | SizeW | ModeMem, dst, src, off, 0);

    /// <summary>dst = the map behind <paramref name="mapFd"/>: a two-slot ld_imm64 with src_reg BPF_PSEUDO_MAP_FD.</summary>
    internal static (ulong First, ulong Second) LoadMapFd(byte dst, int mapFd) =>
        (Encode(ClassLd | SizeDw | ModeImm, dst, Interop.Bpf.PseudoMapFd, 0, mapFd), 0);

    /// <summary>r0 = helper(r1..r5).</summary>
    internal static ulong Call(int helper) => Encode(ClassJmp | OpCall, 0, 0, 0, helper);

    /// <summary>return r0.</summary>
    internal static ulong Exit() => Encode(ClassJmp | OpExit, 0, 0, 0, 0);
}
