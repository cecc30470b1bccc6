// The bench's reference for the XDP fast path: no switch, just the kernel's own XDP redirect between the
// first two ports (each port's program sends every frame to the other's ifindex; no lookup, no learning).
// It bounds what any XDP fast path can do on these veth pairs. Programs are attached through BPF links
// and go with Dispose (or the process).
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Ports;
using Tmds.Linux;
using static FastBridge.Datapath.Xdp.BpfAssembler;

namespace FastBridge.Testing.Switches;

internal sealed class XdpRedirectSwitch : SwitchUnderTest
{
    /// <summary>BPF_FUNC_redirect: long bpf_redirect(u32 ifindex, u64 flags).</summary>
    private const int FuncRedirect = 23;

    private readonly List<int> _fds = [];

    public override string Kind => SwitchKind.XdpRedirect;

    /// <summary>It learns nothing: the RFC 2889 learning figures do not apply.</summary>
    public override bool Learns => false;

    public override void Start(string name, IReadOnlyList<string> ports)
    {
        int first = NetInterface.Inspect(ports[0]).IfIndex, second = NetInterface.Inspect(ports[1]).IfIndex;
        Redirect(first, second);
        Redirect(second, first);
    }

    public override void FlushFdb()
    {
    }

    public override string Describe() => $"bare XDP redirect between the first two ports ({_fds.Count} fds)";

    public override string? Stop()
    {
        foreach (int fd in _fds)
        {
            LibC.close(fd);
        }
        _fds.Clear();
        return null;
    }

    /// <summary>return bpf_redirect(<paramref name="toIfIndex"/>, 0): every frame to that interface.</summary>
    internal static ulong[] Program(int toIfIndex) => [Mov64Imm(R1, toIfIndex), Mov64Imm(R2, 0), Call(FuncRedirect), Exit()];

    private void Redirect(int from, int to)
    {
        int progFd = Bpf.LoadXdpProgram(Program(to), "fb_bench_redir", out string log);
        if (progFd < 0)
        {
            throw new InvalidOperationException($"the bare redirect program was refused: {LibcExtras.ErrnoText(-progFd)} {log}");
        }
        _fds.Add(progFd);
        int linkFd = Bpf.CreateXdpLink(progFd, from, Bpf.XdpFlagsDrvMode);
        if (linkFd < 0)
        {
            throw new InvalidOperationException($"cannot attach the bare redirect program to ifindex {from}: {LibcExtras.ErrnoText(-linkFd)}");
        }
        _fds.Add(linkFd);
    }
}
