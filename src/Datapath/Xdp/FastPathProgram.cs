// The XDP program of a port when the fast path is on: known unicast is switched inside the kernel,
// everything else goes where it went before (the port's AF_XDP socket, or up to the AF_PACKET socket).
// A frame is redirected only when all of these hold, checked in this order:
//   - it holds a whole Ethernet header, and at most one VLAN tag (stacked tags go to user space);
//   - its source is not a group address, and is in the FDB map on this very ingress interface (a new or
//     moved station is learned by the poll loop, which sees the frame; a moved one is also marked in the
//     map at once, so frames to it stop going where it was; this holds for every frame, broadcasts too);
//   - its destination is not a group address (link-local groups, floods and punts stay in the poll loops);
//   - its destination is in the FDB map on another interface (no hairpin in the kernel), the two
//     entries' ports are not both isolated, the ingress port forwards (its flag in the port array),
//     the egress port is a confirmed target (non-zero limits in the port array, an entry in the
//     DEVMAP) and the frame fits that port (FrameRef.Fits's rule);
//   - none of its ingress port's frames waits in user space (the drain's counts,
//     FastPathMaps.Drains.cs): a frame never overtakes one the poll loops still hold.
// Each frame it gives to user space is counted in the drain (after an XSK redirect the map took).
// A poll loop that shuts a port (bpdu_guard, a MAC limit, a socket error) zeroes its port-array entry
// at once (FastPathMaps.Close), so nothing from or to it crosses in the kernel from that frame on; the
// next tick also leaves its FDB entries out of the map.
// On a VLAN-aware bridge (maps with a VLAN map) the program classifies each frame first and redirects
// only what needs no tag edit (FastPathProgram.Vlans.cs); the unaware program is built without those parts.
// On redirect it counts rx on the ingress port and tx on the egress port in the per-CPU counters. On
// the source check it refreshes the source's LastSeen when the second changed, as br_fdb does.
// Assembled once per attachment on the control thread.
using FastBridge.Datapath.Interop;
using static FastBridge.Datapath.Xdp.BpfAssembler;

namespace FastBridge.Datapath.Xdp;

internal static partial class FastPathProgram
{
    // struct FastPathEntry, FastPathPortState and FastPathCounters offsets (FastPathMaps.cs).
    private const short EntryPort = 0, EntryIfIndex = 4, EntryLastSeen = 8, EntryFlags = 12;
    private const short EgressMaxTagged = 0, EgressMaxUntagged = 4, PortForwarding = 8;
    private const short CountRxPackets = 0, CountRxBytes = 8, CountTxPackets = 16, CountTxBytes = 24;

    /// <summary>The port a moved station's entry points to until the mirror rewrites it: past every port array.</summary>
    private const int MovedAway = -1;

    // Stack slots below r10.
    private const short DestinationKey = -8, SourceKey = -16, DestinationPort = -20, SourcePort = -24, FdbGroup = -40; // -28 to -36: FastPathProgram.Vlans.cs

    // TPIDs as a little-endian 16-bit load of the network-order field reads them.
    private const int CustomerTpidLoaded = 0x0081, ServiceTpidLoaded = 0xa888;

    private const string SlowPath = "slow", Untagged = "untagged", Limit = "limit", SameSecond = "same_second", Counted = "counted";

    /// <summary>
    /// The program for one port. <paramref name="xskMapFd"/> is the port's XSKMAP (AF_XDP), or -1 for an
    /// AF_PACKET port, whose other frames go up the stack (XDP_PASS) to its packet socket. <paramref name="drain"/>: the
    /// attachment's drain (FastPathMaps.AllocateDrain).
    /// </summary>
    internal static ulong[] Build(FastPathMaps maps, int xskMapFd, int drain)
    {
        int drainOffset = drain * maps.DrainBytes;
        var p = new BpfProgramBuilder();
        p.Emit(
            Mov64Reg(R6, R1),                                  // r6 = ctx, kept across calls
            Load(SizeW, R7, R6, Bpf.XdpMdData),                // r7 = data
            Load(SizeW, R3, R6, Bpf.XdpMdDataEnd),
            Mov64Reg(R4, R7),
            Alu64Imm(OpAdd, R4, 14))
            .JumpIfReg(OpJgt, R4, R3, SlowPath);               // runt
        p.Emit(Mov64Imm(R9, 0), Load(SizeH, R5, R7, 12))
            .JumpIf(OpJeq, R5, ServiceTpidLoaded, "tag")
            .JumpIf(OpJne, R5, CustomerTpidLoaded, Untagged)
            .Emit(Mov64Imm(R9, 1))                             // 802.1Q: the egress port's tagged limit applies
            .Label("tag")
            .Emit(Mov64Reg(R4, R7), Alu64Imm(OpAdd, R4, 18))
            .JumpIfReg(OpJgt, R4, R3, SlowPath)
            .Emit(Load(SizeH, R5, R7, 16))
            .JumpIf(OpJeq, R5, CustomerTpidLoaded, SlowPath)   // stacked tags
            .JumpIf(OpJeq, R5, ServiceTpidLoaded, SlowPath)
            .Label(Untagged);

        // A group source (first byte, bit 0) is malformed: the poll loop counts and drops it. A group
        // destination is never redirected, but its source is still checked below, as br_fdb_update does for
        // every frame: a station announcing a move with a broadcast must stop being redirected to at once.
        p.Emit(Load(SizeB, R4, R7, 6)).JumpIf(OpJset, R4, 1, SlowPath);
        bool vlanAware = maps.VlanTpid != 0;
        if (vlanAware)
        {
            ClassifyVlan(p, maps); // r8 = VLAN << 48
        }
        // Keys as FdbKey.Make(MacAddress.ReadAt8(...), vlan): eight bytes big-endian, shifted down by 16; VLAN
        // 0 on an unaware bridge, as BatchForwarder's; with KeyInUse set, as the FDB table holds them.
        p.Emit(
            Load(SizeDw, R2, R7, 0), ToBigEndianBits(R2, 64), Alu64Imm(OpRsh, R2, 16),
            Load(SizeDw, R3, R7, 6), ToBigEndianBits(R3, 64), Alu64Imm(OpRsh, R3, 16));
        if (vlanAware)
        {
            p.Emit(Alu64Reg(OpOr, R2, R8), Alu64Reg(OpOr, R3, R8));
        }
        p.Emit(LoadImm64(R4, FastPathMaps.KeyInUse)).Emit(Alu64Reg(OpOr, R2, R4), Alu64Reg(OpOr, R3, R4))
            .Emit(Store(SizeDw, R10, DestinationKey, R2), Store(SizeDw, R10, SourceKey, R3));

        // Source: known on this ingress interface.
        LookupFdb(p, maps, SourceKey, "source");
        p.Emit(Mov64Reg(R7, R0), Load(SizeW, R2, R7, EntryIfIndex), Load(SizeW, R3, R6, Bpf.XdpMdIngressIfindex))
            .JumpIfReg(OpJeq, R2, R3, "source_here")
            // The station moved here: until the mirror writes its new port, frames to it go to the poll
            // loop (no port has id MovedAway, so the port array lookup below fails), not to where it was.
            .Emit(Mov64Imm(R2, MovedAway), Store(SizeW, R7, EntryPort, R2))
            .Goto(SlowPath)
            .Label("source_here");
        p.Emit(Call(Bpf.FuncKtimeGetCoarseNs), Alu64Imm(OpDiv, R0, 1_000_000_000), Load(SizeW, R1, R7, EntryLastSeen))
            .JumpIfReg(OpJeq, R1, R0, SameSecond)
            .Emit(Store(SizeW, R7, EntryLastSeen, R0))
            .Label(SameSecond);

        // Destination: a unicast address (the key's top byte is the MAC's first), known on another interface,
        // confirmed, and the frame fits.
        p.Emit(Load(SizeDw, R2, R10, DestinationKey), Alu64Imm(OpRsh, R2, 40)).JumpIf(OpJset, R2, 1, SlowPath);
        LookupFdb(p, maps, DestinationKey, "destination");
        p.Emit(Mov64Reg(R8, R0), Load(SizeW, R2, R8, EntryIfIndex), Load(SizeW, R3, R6, Bpf.XdpMdIngressIfindex))
            .JumpIfReg(OpJeq, R2, R3, SlowPath)
            .Emit(Load(SizeW, R2, R8, EntryFlags), Load(SizeW, R3, R7, EntryFlags), Alu64Reg(OpAnd, R2, R3))
            .JumpIf(OpJset, R2, (int)FastPathEntryFlags.Isolated, SlowPath); // isolated to isolated: the poll loop drops it
        p.Emit(Load(SizeW, R2, R8, EntryPort), Store(SizeW, R10, DestinationPort, R2),
            Load(SizeW, R2, R7, EntryPort), Store(SizeW, R10, SourcePort, R2));
        // The ingress port forwards: a poll loop that shuts it (a policy, a socket error) clears this at once.
        Lookup(p, maps.PortsFd, SourcePort);
        p.Emit(Load(SizeW, R1, R0, PortForwarding)).JumpIf(OpJeq, R1, 0, SlowPath);
        if (vlanAware)
        {
            CheckEgressVlan(p, maps);
        }
        p.Emit(LoadMapFd(R1, maps.PortsFd)).Emit(Mov64Reg(R2, R10), Alu64Imm(OpAdd, R2, DestinationPort), Call(Bpf.FuncMapLookupElem))
            .JumpIf(OpJeq, R0, 0, SlowPath)
            .Emit(Load(SizeW, R1, R0, EgressMaxUntagged))
            .JumpIf(OpJeq, R9, 0, Limit)
            .Emit(Load(SizeW, R1, R0, EgressMaxTagged))
            .Label(Limit)
            // The length from the helper, not data_end - data: the verifier allows pointer minus pointer only
            // with CAP_PERFMON, which the unit does not grant.
            .Emit(Mov64Reg(R9, R1), Mov64Reg(R1, R6), Call(Bpf.FuncXdpGetBuffLen))
            .JumpIfReg(OpJgt, R0, R9, SlowPath)                 // too long, or limits 0: not confirmed
            .Emit(Mov64Reg(R9, R0));                            // r9 = length, for the byte counters
        // Nothing of this port's waits in user space: handed - lost - every loop's taken is not above 0 (below it for
        // a moment after the tick wrote frames off that a loop then took: SettleDrains).
        p.Emit(LoadMapValue(R1, maps.DrainsFd, drainOffset))
            .Emit(Load(SizeDw, R2, R1, FastPathMaps.DrainHanded), Load(SizeDw, R3, R1, FastPathMaps.DrainLost));
        for (int loop = 0; loop < maps.Loops; loop++)
        {
            p.Emit(Load(SizeDw, R4, R1, (short)(FastPathMaps.DrainLine * (1 + loop))), Alu64Reg(OpAdd, R3, R4));
        }
        p.Emit(Alu64Reg(OpSub, R2, R3)).JumpIf(OpJsgt, R2, 0, SlowPath);
        p.Emit(LoadMapFd(R1, maps.EgressFd))
            .Emit(Load(SizeW, R2, R10, DestinationPort), Mov64Imm(R3, Bpf.XdpPass), Call(Bpf.FuncRedirectMap))
            .JumpIf(OpJne, R0, Bpf.XdpRedirect, SlowPath);     // not in the DEVMAP (withdrawn meanwhile)

        Count(p, maps, SourcePort, CountRxPackets, CountRxBytes, "rx_done");
        Count(p, maps, DestinationPort, CountTxPackets, CountTxBytes, Counted);
        p.Emit(Mov64Imm(R0, Bpf.XdpRedirect), Exit());

        p.Label(SlowPath);
        if (xskMapFd >= 0)
        {
            // A queue without a socket falls back to XDP_PASS: up the stack, to no loop, so not counted.
            p.Emit(Load(SizeW, R2, R6, Bpf.XdpMdRxQueueIndex)).Emit(LoadMapFd(R1, xskMapFd))
                .Emit(Mov64Imm(R3, Bpf.XdpPass), Call(Bpf.FuncRedirectMap))
                .JumpIf(OpJne, R0, Bpf.XdpRedirect, "not_handed");
        }
        else
        {
            p.Emit(Mov64Imm(R0, Bpf.XdpPass));
        }
        p.Emit(LoadMapValue(R1, maps.DrainsFd, drainOffset))
            .Emit(Mov64Imm(R2, 1), AtomicAdd64(R1, FastPathMaps.DrainHanded, R2)) // r0, the verdict, is kept
            .Label("not_handed")
            .Emit(Exit());
        return p.Build();
    }

    /// <summary>r0 = map[*(r10 + key)]; no entry goes the slow path.</summary>
    private static void Lookup(BpfProgramBuilder p, int mapFd, short key) => p
        .Emit(LoadMapFd(R1, mapFd))
        .Emit(Mov64Reg(R2, R10), Alu64Imm(OpAdd, R2, key), Call(Bpf.FuncMapLookupElem))
        .JumpIf(OpJeq, R0, 0, SlowPath);

    /// <summary>
    /// r0 = the entry of the key at r10 + <paramref name="key"/> in the FDB table (FastPathMaps.Fdb.cs): its group by
    /// the table's hash, one array lookup (the verifier inlines it: no call), then the group's slots compared in turn;
    /// a key in none of them goes the slow path.
    /// </summary>
    private static void LookupFdb(BpfProgramBuilder p, FastPathMaps maps, short key, string name)
    {
        p.Emit(Load(SizeDw, R2, R10, key)).Emit(LoadImm64(R3, FastPathMaps.HashMultiplier))
            .Emit(Alu64Reg(OpMul, R2, R3), Alu64Imm(OpRsh, R2, 64 - maps.FdbGroupBits), Store(SizeW, R10, FdbGroup, R2));
        Lookup(p, maps.FdbFd, FdbGroup);
        p.Emit(Load(SizeDw, R2, R10, key));
        for (int slot = 0; slot < FastPathMaps.SlotsPerGroup; slot++)
        {
            p.Emit(Load(SizeDw, R3, R0, (short)(slot * FastPathMaps.SlotBytes + FastPathMaps.SlotKey))).JumpIfReg(OpJeq, R3, R2, $"{name}_{slot}");
        }
        p.Goto(SlowPath);
        for (int slot = 0; slot < FastPathMaps.SlotsPerGroup; slot++)
        {
            p.Label($"{name}_{slot}").Emit(Alu64Imm(OpAdd, R0, slot * FastPathMaps.SlotBytes + FastPathMaps.SlotEntry)).Goto($"{name}_found");
        }
        p.Label($"{name}_found");
    }

    /// <summary>counters[*(r10 + port)] += one frame of r9 bytes.</summary>
    private static void Count(BpfProgramBuilder p, FastPathMaps maps, short port, short packets, short bytes, string done) => p
        .Emit(LoadMapFd(R1, maps.CountersFd))
        .Emit(Mov64Reg(R2, R10), Alu64Imm(OpAdd, R2, port), Call(Bpf.FuncMapLookupElem))
        .JumpIf(OpJeq, R0, 0, done)
        .Emit(Load(SizeDw, R1, R0, packets), Alu64Imm(OpAdd, R1, 1), Store(SizeDw, R0, packets, R1),
            Load(SizeDw, R1, R0, bytes), Alu64Reg(OpAdd, R1, R9), Store(SizeDw, R0, bytes, R1))
        .Label(done);
}
