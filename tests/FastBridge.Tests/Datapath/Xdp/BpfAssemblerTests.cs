// The assembler's encodings against bytes written out by hand from the instruction-set document,
// and the redirect program's shape.
using FastBridge.Datapath.Xdp;
using static FastBridge.Datapath.Xdp.BpfAssembler;

namespace FastBridge.Tests.Datapath.Xdp;

public sealed class BpfAssemblerTests
{
    [Fact]
    public void Exit_Encoding_Is95ThenZeros()
    {
        Assert.Equal(new byte[] { 0x95, 0, 0, 0, 0, 0, 0, 0 }, BitConverter.GetBytes(Exit()));
    }

    [Fact]
    public void Mov64Imm_R3Pass_IsB7_03()
    {
        // BPF_ALU64 | BPF_MOV | BPF_K = 0xb7, dst r3, imm 2.
        Assert.Equal(new byte[] { 0xb7, 0x03, 0, 0, 2, 0, 0, 0 }, BitConverter.GetBytes(Mov64Imm(R3, 2)));
    }

    [Fact]
    public void LoadWord_R2FromR1Plus16_Is61_12_Off16()
    {
        // BPF_LDX | BPF_W | BPF_MEM = 0x61, dst r2 (low nibble), src r1 (high nibble), off 16.
        Assert.Equal(new byte[] { 0x61, 0x12, 0x10, 0, 0, 0, 0, 0 }, BitConverter.GetBytes(LoadWord(R2, R1, 16)));
    }

    [Fact]
    public void Call_RedirectMap_Is85_Imm51()
    {
        Assert.Equal(new byte[] { 0x85, 0, 0, 0, 51, 0, 0, 0 }, BitConverter.GetBytes(Call(51)));
    }

    [Fact]
    public void LoadMapFd_Fd7_IsLdImm64WithPseudoMapFd()
    {
        (ulong first, ulong second) = LoadMapFd(R1, 7);
        // BPF_LD | BPF_DW | BPF_IMM = 0x18, dst r1, src BPF_PSEUDO_MAP_FD (1), imm = fd; second slot all zero.
        Assert.Equal(new byte[] { 0x18, 0x11, 0, 0, 7, 0, 0, 0 }, BitConverter.GetBytes(first));
        Assert.Equal(0UL, second);
    }

    [Fact]
    public void RedirectProgram_Shape_LoadsQueueMapPassCallExit()
    {
        ulong[] program = XdpAttachment.RedirectProgram(9);
        Assert.Equal(6, program.Length);
        Assert.Equal(LoadWord(R2, R1, 16), program[0]);
        Assert.Equal(LoadMapFd(R1, 9).First, program[1]);
        Assert.Equal(Mov64Imm(R3, 2), program[3]);
        Assert.Equal(Call(51), program[4]);
        Assert.Equal(Exit(), program[5]);
    }
}
