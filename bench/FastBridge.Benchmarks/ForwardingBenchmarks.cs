// The forwarding pipeline on in-memory ports: parse, learn, look up and enqueue one burst of 64
// frames, with the transmit copy into the egress port's slots. Reports time per burst (divide by
// 64 for ns per frame) and bytes allocated per burst, which must be 0. The Vlan cases run the same burst on a
// VLAN-aware bridge (all in VLAN 10): untagged in and out; push (untagged in, tagged out: the tag is written as the
// frame is copied); pop (tagged in, untagged out). Pop's frames carry their tag in metadata (AF_PACKET's shape),
// because the replaying in-memory port hands the same bytes again each burst and an in-frame tag is taken out in
// place; AF_XDP's in-frame tag costs that one 12-byte move more per frame (VlanEditing.StripInPlace).
// Policy on sets port flags that send every frame through the port policy paths (BatchForwarder.Policy.cs)
// without changing where the frames go, so off and on show what the policy costs.
using BenchmarkDotNet.Attributes;
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Frames;
using FastBridge.Datapath.Ports;
using FastBridge.Testing.Frames;

namespace FastBridge.Benchmarks;

[MemoryDiagnoser]
public class ForwardingBenchmarks
{
    private const int Ports = 4;
    private MemoryPort[] _ports = [];
    private BatchForwarder _forwarder = null!;
    private readonly FrameBatch _batch = new();

    /// <summary>unicast: every frame to a learned station; flood: every frame broadcast to the 3 other ports.</summary>
    [Params("unicast", "flood")]
    public string Mix { get; set; } = "unicast";

    /// <summary>off: not VLAN-aware (today's path); untagged, push, pop: VLAN-aware (see the header).</summary>
    [Params("off", "untagged", "push", "pop")]
    public string Vlan { get; set; } = "off";

    /// <summary>off: every port with the default flags; on: flags that take the policy paths but send every frame where off does.</summary>
    [Params("off", "on")]
    public string Policy { get; set; } = "off";

    [GlobalSetup]
    public void Setup()
    {
        _ports = new MemoryPort[Ports];
        for (int i = 0; i < Ports; i++)
        {
            _ports[i] = new MemoryPort($"p{i}", replay: true);
        }
        var fdb = new FdbTable(65536);
        const ushort VlanId = 10;
        VlanMembership? vlans = null;
        if (Vlan != "off")
        {
            vlans = new VlanMembership(Ports, defaultPvid: 0).WithVlans(0, VlanId, VlanId, pvid: Vlan != "pop", untagged: Vlan != "pop");
            for (int port = 1; port < Ports; port++)
            {
                vlans = vlans.WithVlans(port, VlanId, VlanId, pvid: false, untagged: Vlan != "push");
            }
        }
        ushort vlan = vlans is null ? (ushort)0 : VlanId;
        PortSet ports = new PortSet(_ports, new PortStates(Ports)).WithVlans(vlans);
        if (Policy == "on")
        {
            // Port 0's 64 sources over a limit of 32: the limited learning path every burst, half of it held back.
            ports.States.Learning.Allow(0, 0, 32);
            ports = ports.WithPolicy(0, new PortPolicy(PortFlags.Default | PortFlags.Isolated, MaxLearned: 32, BroadcastRate: int.MaxValue)).WithPolicy(1, new PortPolicy(PortFlags.Default | PortFlags.Hairpin))
                .WithPolicy(3, new PortPolicy(PortFlags.Default & ~PortFlags.McastFlood));
        }
        _forwarder = new BatchForwarder(fdb, ports, new LoopCounters(Ports), groupForwardMask: 0);
        for (int station = 0; station < 64; station++)
        {
            fdb.Learn(FdbKey.Make(Station(1000 + (ulong)station), vlan), 1 + station % 3, 0);
        }
        for (int i = 0; i < Bursts.DefaultFrames; i++)
        {
            ulong destination = Mix == "flood" ? 0xFFFF_FFFF_FFFFUL : Station(1000 + (ulong)i);
            byte[] frame = TestFrames.Sized(destination, Station((ulong)i), 64, fill: 0);
            if (Vlan == "pop")
            {
                _ports[0].Inject(frame, VlanTag.CustomerTpid, VlanId);
            }
            else
            {
                _ports[0].Inject(frame);
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (MemoryPort port in _ports)
        {
            port.Dispose();
        }
    }

    [Benchmark(Description = "burst of 64 frames")]
    public void Burst()
    {
        _batch.Clear();
        _ports[0].Receive(_batch);
        _forwarder.Process(_batch, 0, 1);
        _ports[0].ReleaseReceived();
    }

    private static ulong Station(ulong n) => 0x0200_0000_0000UL | n;
}
