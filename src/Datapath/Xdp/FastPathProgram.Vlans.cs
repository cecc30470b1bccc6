// The VLAN-aware parts of the fast-path program: ingress classification as VlanClassifier does it
// (br_allowed_ingress), and the egress rule. The kernel never edits a tag here: a frame is redirected only
// when it leaves as it came in, which is
//   - untagged (or with an outer tag of the other TPID, which is no tag to this bridge), classified in the
//     ingress port's PVID, to a port that sends that VLAN untagged; or
//   - tagged with the bridge's TPID and a VLAN id the ingress port is a member of, to a port that sends that
//     VLAN tagged (the tag, priority bits included, leaves as it came).
// Everything else goes to the slow path, which edits and filters as it always has: a priority-tagged frame
// (its VID becomes the PVID), a push or a pop, a VLAN the ingress port is not a member of (the poll loop
// counts it as vlan_filtered), no PVID, a port without rules in the VLAN map. Stacked tags never get here.
using System.Buffers.Binary;
using FastBridge.Datapath.Interop;
using static FastBridge.Datapath.Xdp.BpfAssembler;

namespace FastBridge.Datapath.Xdp;

internal static partial class FastPathProgram
{
    // Stack slots below the unaware program's: the frame's VLAN, the rule byte its egress port must have, a map key.
    private const short Vlan = -28, EgressRule = -32, RulesKey = -36;

    private const string Pvid = "vlan_pvid", Classified = "vlan_classified";

    /// <summary>Ingress: r8 = the frame's VLAN &lt;&lt; 48, or the slow path. Needs r6 = ctx, r7 = data (a whole Ethernet header); keeps r9.</summary>
    private static void ClassifyVlan(BpfProgramBuilder p, FastPathMaps maps)
    {
        int tpidLoaded = BinaryPrimitives.ReverseEndianness(maps.VlanTpid);
        p.Emit(Load(SizeW, R2, R6, Bpf.XdpMdIngressIfindex));
        LookupVlans(p, maps); // r0 = the ingress port's rules
        p.Emit(Load(SizeH, R5, R7, 12))
            .JumpIf(OpJne, R5, tpidLoaded, Pvid)
            .Emit(Mov64Reg(R4, R7), Alu64Imm(OpAdd, R4, 18), Load(SizeW, R3, R6, Bpf.XdpMdDataEnd))
            .JumpIfReg(OpJgt, R4, R3, SlowPath)
            .Emit(Load(SizeH, R8, R7, 14), ToBigEndianBits(R8, 16), Alu64Imm(OpAnd, R8, 0xFFF))
            .JumpIf(OpJeq, R8, 0, SlowPath)                    // priority-tagged: its VID becomes the PVID
            .Emit(Mov64Imm(R4, FastPathVlanRules.Member))       // leaves as it came: tagged
            .Goto(Classified)
            .Label(Pvid)
            .Emit(Load(SizeW, R8, R0, FastPathVlans.PvidOffset),
                Mov64Imm(R4, FastPathVlanRules.Member | FastPathVlanRules.Untagged)) // leaves as it came: untagged
            .Label(Classified)
            // No PVID (0) and 4095 are never members; the mask also bounds the index for the verifier.
            .Emit(Alu64Imm(OpAnd, R8, 0xFFF), Mov64Reg(R1, R0), Alu64Reg(OpAdd, R1, R8), Load(SizeB, R1, R1, 0),
                Alu64Imm(OpAnd, R1, FastPathVlanRules.Member))
            .JumpIf(OpJeq, R1, 0, SlowPath)                    // not a member: the poll loop drops it (vlan_filtered)
            .Emit(Store(SizeW, R10, Vlan, R8), Store(SizeW, R10, EgressRule, R4), Alu64Imm(OpLsh, R8, 48));
    }

    /// <summary>Egress: on to the redirect only when the destination's port (r8 = its entry) sends the VLAN as the frame came.</summary>
    private static void CheckEgressVlan(BpfProgramBuilder p, FastPathMaps maps)
    {
        p.Emit(Load(SizeW, R2, R8, EntryIfIndex));
        LookupVlans(p, maps);
        p.Emit(Load(SizeW, R1, R10, Vlan), Alu64Imm(OpAnd, R1, 0xFFF), Alu64Reg(OpAdd, R0, R1), Load(SizeB, R1, R0, 0),
                Load(SizeW, R2, R10, EgressRule))
            .JumpIfReg(OpJne, R1, R2, SlowPath);                // not a member there, or a push or a pop
    }

    /// <summary>r0 = vlans[r2 (an ifindex)]; no rules go the slow path.</summary>
    private static void LookupVlans(BpfProgramBuilder p, FastPathMaps maps)
    {
        p.Emit(Store(SizeW, R10, RulesKey, R2));
        Lookup(p, maps.VlansFd, RulesKey);
    }
}
