// Writes an eBPF program as a list of BpfAssembler instructions with named jump targets, so a program
// of some length reads top to bottom without hand-counted offsets. Build resolves each jump to the
// instruction after its label. Set-up code only.
namespace FastBridge.Datapath.Xdp;

internal sealed class BpfProgramBuilder
{
    private readonly List<ulong> _instructions = [];
    private readonly Dictionary<string, int> _labels = new(StringComparer.Ordinal);
    private readonly List<(int At, string Label)> _jumps = [];

    public BpfProgramBuilder Emit(params ReadOnlySpan<ulong> instructions)
    {
        foreach (ulong instruction in instructions)
        {
            _instructions.Add(instruction);
        }
        return this;
    }

    /// <summary>The two slots of a ld_imm64 (BpfAssembler.LoadMapFd).</summary>
    public BpfProgramBuilder Emit((ulong First, ulong Second) wide) => Emit(wide.First, wide.Second);

    /// <summary>The next instruction is <paramref name="label"/>'s target.</summary>
    public BpfProgramBuilder Label(string label)
    {
        if (!_labels.TryAdd(label, _instructions.Count))
        {
            throw new InvalidOperationException($"label {label} is placed twice");
        }
        return this;
    }

    /// <summary>if (dst op imm) goto label.</summary>
    public BpfProgramBuilder JumpIf(byte op, byte dst, int imm, string label) => Jump(BpfAssembler.JumpImm(op, dst, imm, 0), label);

    /// <summary>if (dst op src) goto label.</summary>
    public BpfProgramBuilder JumpIfReg(byte op, byte dst, byte src, string label) => Jump(BpfAssembler.JumpReg(op, dst, src, 0), label);

    /// <summary>goto label.</summary>
    public BpfProgramBuilder Goto(string label) => Jump(BpfAssembler.JumpImm(BpfAssembler.OpJa, 0, 0, 0), label);

    public ulong[] Build()
    {
        ulong[] program = [.. _instructions];
        foreach ((int at, string label) in _jumps)
        {
            if (!_labels.TryGetValue(label, out int target))
            {
                throw new InvalidOperationException($"jump to label {label}, which is never placed");
            }
            // The offset field (bits 16..31) counts from the instruction after the jump.
            ulong offset = (ushort)(short)(target - at - 1);
            program[at] = (program[at] & ~(0xFFFFUL << 16)) | offset << 16;
        }
        return program;
    }

    private BpfProgramBuilder Jump(ulong instruction, string label)
    {
        _jumps.Add((_instructions.Count, label));
        _instructions.Add(instruction);
        return this;
    }
}
