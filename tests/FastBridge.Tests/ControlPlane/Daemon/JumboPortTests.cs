// Ports with a 9000 MTU on the daemon: AF_XDP serves them (multi-buffer) under `auto` and `afxdp`, a
// 9014-byte frame crosses between two of them byte-identical and is dropped and counted too_big toward a
// 1500-MTU port; a jumbo port added later to a switch whose AF_XDP memory was set up without
// multi-buffer goes to AF_PACKET under `auto`, saying why, and is refused under `afxdp`.
using System.Text.Json;
using FastBridge.ControlPlane.Api;
using FastBridge.ControlPlane.Switch;

namespace FastBridge.Tests.ControlPlane.Daemon;

[Collection(DaemonCollection.Name)]
public sealed class JumboPortTests
{
    [Theory]
    [InlineData("auto")]
    [InlineData("afxdp")]
    public void Run_9000MtuPorts_AfXdpMultiBufferAndTooBigTowardA1500Port(string backend)
    {
        using DaemonLab lab = DaemonLab.Create(3, [9000, 9000, 1500]);
        using FastBridgeDaemon daemon = FastBridgeDaemon.Start(lab.Socket, "--port", lab.Port(0), "--port", lab.Port(1), "--port", lab.Port(2), "--backend", backend);
        string why = backend == "auto" ? "auto" : "asked for";
        Assert.Contains($"port {lab.Port(0)}: afxdp (native XDP, multi-buffer, {why})", daemon.Output);
        Assert.Contains($"port {lab.Port(2)}: afxdp (native XDP, {why})", daemon.Output);
        using RawSocket hostA = lab.OpenHost(0);
        using RawSocket hostB = lab.OpenHost(1);
        using RawSocket hostC = lab.OpenHost(2);
        byte[] jumbo = TestFrames.Sized(TestFrames.Mac("ff:ff:ff:ff:ff:ff"), TestFrames.Mac("02:00:00:00:9a:0a"), 9014, fill: 0x5A);

        hostA.Send(jumbo);

        Assert.Equal(jumbo, hostB.Receive(3000));
        Assert.Null(hostC.Receive(200));
        StatsInfo stats = JsonSerializer.Deserialize(daemon.Cli("stats", "--json").Stdout, ApiJson.Default.StatsInfo)!;
        PortStatsInfo toSmall = stats.Ports.Single(p => p.Name == lab.Port(2));
        Assert.Equal(1UL, toSmall.Drops["too_big"]);
        Assert.All(stats.Ports.Where(p => p.Name != lab.Port(2)), p => Assert.All(p.Drops.Values, d => Assert.Equal(0UL, d)));
    }

    [Fact]
    public void PortAdd_JumboPortAfterStartWithoutOne_AutoTakesAfPacketAndSaysWhy()
    {
        using DaemonLab lab = DaemonLab.Create(3, [1500, 1500, 9000]);
        using FastBridgeDaemon daemon = FastBridgeDaemon.Start(lab.Socket, "--port", lab.Port(0), "--port", lab.Port(1), "--backend", "auto");

        Assert.Equal(0, daemon.Cli("port", "add", lab.Port(2)).ExitCode);

        Assert.True(daemon.WaitForLine($"port {lab.Port(2)}: afpacket (MTU 9000", TimeSpan.FromSeconds(5)), daemon.Output);
        Assert.Contains("set up without it", daemon.Output);
        Assert.Contains($"{lab.Port(2)} state forwarding backend afpacket", daemon.Cli("port", "show").Stdout);
    }

    [Fact]
    public void PortAdd_JumboPortAfterStartWithoutOne_AfXdpRefusedInOneLine()
    {
        using DaemonLab lab = DaemonLab.Create(3, [1500, 1500, 9000]);
        using FastBridgeDaemon daemon = FastBridgeDaemon.Start(lab.Socket, "--port", lab.Port(0), "--port", lab.Port(1), "--backend", "afxdp");

        ProcessResult result = daemon.Cli("port", "add", lab.Port(2));

        Assert.Equal(1, result.ExitCode);
        Assert.Single(result.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains($"interface {lab.Port(2)}: cannot use AF_XDP: MTU 9000", result.Stderr);
    }
}
