// The fast-path XDP program's own cost per frame, against the bare redirect the e2e bench uses as its bound
// (XdpRedirectSwitch: bpf_redirect to a fixed ifindex, no lookup). The kernel runs each program on one 64-byte
// frame 10,000 times per call (BPF_PROG_TEST_RUN), as if it arrived on a veth this benchmark made; a redirect's
// verdict is returned but the frame is not sent, so this is the program alone, not the veth transmit both share.
// Cases: "known unicast" is the frame the fast path redirects (source learned here, destination on the other
// port); "unknown source" goes to the slow path after the first lookup (what a new station's frames cost).
// As root; the veth pair and namespace go with GlobalCleanup.
using BenchmarkDotNet.Attributes;
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Ports;
using FastBridge.Datapath.Xdp;
using FastBridge.Testing.Frames;
using FastBridge.Testing.Lab;
using FastBridge.Testing.Switches;
using Tmds.Linux;

namespace FastBridge.Benchmarks;

public class FastPathProgramBenchmarks
{
    private const uint Runs = 10_000;
    private const ulong StationA = 0x02AA_0000_0001, StationB = 0x02BB_0000_0002, Stranger = 0x02CC_0000_0003;

    private VethLab? _lab;
    private FastPathMaps? _maps;
    private int _progFd = -1, _drain = -1, _ifIndex;
    private byte[] _frame = [];

    [Params("bare redirect", "known unicast", "unknown source")]
    public string Case { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _lab = new VethLab();
        NetInterfaceInfo a = NetInterface.Inspect(_lab.AddVeth("a").Host), b = NetInterface.Inspect(_lab.AddVeth("b").Host);
        _ifIndex = a.IfIndex;
        _maps = FastPathMaps.Create(65536, 64);
        _maps.Open(0, 0, 0, 0);
        _maps.Open(1, b.IfIndex, 1518, 1514);
        _maps.Write(FdbKey.Make(StationA, 0), new FastPathEntry { Port = 0, IfIndex = (uint)a.IfIndex });
        _maps.Write(FdbKey.Make(StationB, 0), new FastPathEntry { Port = 1, IfIndex = (uint)b.IfIndex });
        _drain = _maps.AllocateDrain();
        ulong[] program = Case == "bare redirect" ? XdpRedirectSwitch.Program(b.IfIndex) : FastPathProgram.Build(_maps, xskMapFd: -1, _drain);
        _progFd = Bpf.LoadXdpProgram(program, "fb_bench_prog", out string log);
        if (_progFd < 0)
        {
            throw new InvalidOperationException($"program refused: {LibcExtras.ErrnoText(-_progFd)} {log}");
        }
        _frame = TestFrames.Experimental(StationB, Case == "unknown source" ? Stranger : StationA, TestFrames.Marker("bench"));
        Array.Resize(ref _frame, 64);
        uint expected = (uint)(Case == "unknown source" ? Bpf.XdpPass : Bpf.XdpRedirect);
        if (Run() != expected)
        {
            throw new InvalidOperationException($"{Case}: verdict {Run()}, expected {expected}");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        LibC.close(_progFd);
        _maps?.FreeDrain(_drain);
        _maps?.Dispose();
        _lab?.Dispose();
    }

    [Benchmark(OperationsPerInvoke = (int)Runs)]
    public uint Run()
    {
        int result = Bpf.TestRunXdp(_progFd, _frame, _ifIndex, Runs, out uint verdict);
        return result < 0 ? throw new InvalidOperationException($"BPF_PROG_TEST_RUN: {LibcExtras.ErrnoText(-result)}") : verdict;
    }
}
