// What the daemon says when the kernel holds it back: started with fewer capabilities (setpriv
// shrinks the bounding set, so even root loses the rest) or a small RLIMIT_MEMLOCK (prlimit), it
// must refuse in one line that names the capability or the limit to raise, and by how much. Without
// CAP_SYS_ADMIN it runs, but a port whose veth peer is in another namespace is off the fast path, saying why.
using FastBridge.Testing.Processes;

namespace FastBridge.Tests.ControlPlane.Daemon;

[Collection(DaemonCollection.Name)]
public sealed class PrivilegeRefusalTests
{
    private static readonly TimeSpan s_refusal = TimeSpan.FromSeconds(20);

    [Fact]
    public void Run_WithoutCapBpf_RefusedNamingCapBpf()
    {
        using DaemonLab lab = DaemonLab.Create(1);
        using FastBridgeDaemon daemon = FastBridgeDaemon.LaunchRun(["--socket", lab.Socket, "--port", lab.Port(0), "--backend", "afpacket"],
            under: ["setpriv", "--bounding-set=-all,+net_raw,+net_admin", "--inh-caps=-all"]);

        Assert.True(daemon.WaitForLine("needs CAP_BPF", s_refusal), daemon.Output);
        Assert.True(SpinWait.SpinUntil(() => daemon.HasExited, 5000));
        Assert.Equal(1, daemon.ExitCode);
    }

    [Fact]
    public void Run_AfXdpUmemOverMemlock_RefusedSayingWhatToRaise()
    {
        using DaemonLab lab = DaemonLab.Create(2);
        // 1 MiB of memlock and no CAP_IPC_LOCK (which would exempt the UMEM): the 2 MiB UMEM cannot be pinned.
        using FastBridgeDaemon daemon = FastBridgeDaemon.LaunchRun(
            ["--socket", lab.Socket, "--port", lab.Port(0), "--port", lab.Port(1), "--backend", "afxdp", "--umem-frames", "512", "--ring-size", "64"],
            under: ["prlimit", "--memlock=1048576:1048576", "setpriv", "--bounding-set=-all,+net_raw,+net_admin,+bpf", "--inh-caps=-all"]);

        Assert.True(daemon.WaitForLine("XDP_UMEM_REG", s_refusal), daemon.Output);
        Assert.True(SpinWait.SpinUntil(() => daemon.HasExited, 5000));
        Assert.NotEqual(0, daemon.ExitCode);
        Assert.Contains("RLIMIT_MEMLOCK (now 1024 KiB", daemon.Output);
        Assert.Contains("ulimit -l 2048", daemon.Output);
        Assert.Contains("LimitMEMLOCK=2048K", daemon.Output);
        Assert.Contains("CAP_IPC_LOCK", daemon.Output);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Run_FastPathUnderTheUnitsCapabilities_ProgramLoadsAndAPeerElsewhereIsOffSayingWhy(bool vlanFiltering)
    {
        using DaemonLab lab = DaemonLab.Create(1);
        string[] vlans = vlanFiltering ? ["--vlan-filtering"] : [];
        // Exactly the capabilities the unit grants: the program loads (no CAP_PERFMON needed), but reading GRO in the
        // peer's namespace needs setns, so CAP_SYS_ADMIN.
        using FastBridgeDaemon daemon = FastBridgeDaemon.LaunchRun(["--socket", lab.Socket, "--port", lab.Port(0), "--fast-path", "on", .. vlans],
            under: ["setpriv", "--bounding-set=-all,+net_raw,+net_admin,+bpf", "--inh-caps=-all"]);

        Assert.True(daemon.WaitForLine($"port {lab.Port(0)}: fast-path off", s_refusal), daemon.Output);
        Assert.Contains($"in namespace {lab.Netns(0)} unreadable: cannot enter namespace {lab.Netns(0)}: setns:", daemon.Output);
        Assert.Contains("entering a network namespace needs CAP_SYS_ADMIN", daemon.Output);
    }
}
