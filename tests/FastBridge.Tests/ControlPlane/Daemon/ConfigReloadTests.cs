using System.Text.Json;
using FastBridge.ControlPlane.Api;
using FastBridge.ControlPlane.Switch;

namespace FastBridge.Tests.ControlPlane.Daemon;

/// <summary>--config at start (refusals, precedence) and SIGHUP applying the difference while traffic flows.</summary>
[Collection(DaemonCollection.Name)]
public sealed class ConfigReloadTests
{
    [Fact]
    public void Run_InvalidConfig_RefusedWithFileKeyAndProblem_NothingStarted()
    {
        using DaemonLab lab = DaemonLab.Create(1);
        string config = lab.WriteFile("bad.json", $$"""{"ports": ["{{lab.Port(0)}}"], "fdbMax": -5}""");
        using FastBridgeDaemon daemon = FastBridgeDaemon.Launch(lab.Socket, "--config", config);

        Assert.True(SpinWait.SpinUntil(() => daemon.HasExited, 20_000), daemon.Output);
        Assert.Equal(1, daemon.ExitCode);
        Assert.Equal($"fastbridge: config {config}: key 'fdbMax': must be between 1 and 16777216, not -5", daemon.Output.Trim());
        Assert.False(Path.Exists(lab.Socket));
    }

    [Fact]
    public void Run_ConfigEnvironmentAndFlag_FlagThenEnvironmentThenFile()
    {
        using DaemonLab lab = DaemonLab.Create(1);
        string config = lab.WriteFile("fastbridge.json", $$"""
            {"ports": ["{{lab.Port(0)}}"], "ageingTime": 30, "fdbMax": 500,
             "fdb": [{"mac": "02:00:00:00:f0:01", "port": "{{lab.Port(0)}}"}]}
            """);
        var environment = new Dictionary<string, string> { ["FASTBRIDGE_AGEINGTIME"] = "40", ["FASTBRIDGE_FDBMAX"] = "600" };
        using FastBridgeDaemon daemon = FastBridgeDaemon.Start(lab.Socket, environment, "--config", config, "--ageing-time", "50");

        StatusInfo status = JsonSerializer.Deserialize(daemon.Cli("status", "--json").Stdout, ApiJson.Default.StatusInfo)!;
        Assert.Equal(50u, status.AgeingTimeSeconds);
        Assert.Equal(600, status.FdbMaxEntries);
        Assert.Equal(config, status.Config);
        Assert.Contains($"02:00:00:00:f0:01 dev {lab.Port(0)} static", daemon.Cli("fdb", "show").Stdout);
    }

    [Fact]
    public void Sighup_ChangedConfig_AppliesTheDifferenceWithoutLosingTrafficOnUnchangedPorts()
    {
        using DaemonLab lab = DaemonLab.Create(4);
        string Config(string[] ports, int ageing, string staticPort) => $$"""
            {"ports": [{{string.Join(", ", ports.Select(p => $"\"{p}\""))}}], "ageingTime": {{ageing}},
             "fdb": [{"mac": "02:00:00:00:f1:01", "port": "{{staticPort}}"}]}
            """;
        string path = lab.WriteFile("fastbridge.json", Config([lab.Port(0), lab.Port(1), lab.Port(2)], 300, lab.Port(2)));
        using FastBridgeDaemon daemon = FastBridgeDaemon.Start(lab.Socket, "--config", path);
        using RawSocket hostA = lab.OpenHost(0);
        using RawSocket hostB = lab.OpenHost(1);
        byte[] aToB = TestFrames.Sized(TestFrames.Mac("02:00:00:00:f2:0b"), TestFrames.Mac("02:00:00:00:f2:0a"), TestFrames.MinFrame);
        ulong fromA = TestFrames.Mac("02:00:00:00:f2:0a");
        int received = 0;
        using var receiving = new CancellationTokenSource();
        var receiver = new Thread(() =>
        {
            while (!receiving.IsCancellationRequested)
            {
                byte[]? frame = hostB.Receive(50);
                if (frame is not null && FastBridge.Datapath.Frames.MacAddress.Read(frame.AsSpan(6, 6)) == fromA)
                {
                    Interlocked.Increment(ref received);
                }
            }
        });
        receiver.Start();
        int sent = 0;
        try
        {
            // Traffic before, during and after the reload, paced and bounded.
            for (int phase = 0; phase < 3; phase++)
            {
                if (phase == 1)
                {
                    File.WriteAllText(path, Config([lab.Port(0), lab.Port(1), lab.Port(3)], 120, lab.Port(3)));
                    daemon.Signal(ChildProcess.SigHup);
                }
                for (int i = 0; i < 500; i++, sent++)
                {
                    hostA.Send(aToB);
                    if (i % 5 == 4)
                    {
                        Thread.Sleep(1);
                    }
                }
            }
            Assert.True(daemon.WaitForLine("reloaded", TimeSpan.FromSeconds(10)), daemon.Output);
            SpinWait.SpinUntil(() => Volatile.Read(ref received) >= sent, 5000);
        }
        finally
        {
            receiving.Cancel();
            receiver.Join();
        }

        Assert.True(received == sent, $"sent {sent}, received {received}\n{daemon.Output}");
        string ports = daemon.Cli("port", "show").Stdout;
        Assert.Contains(lab.Port(3), ports);
        Assert.DoesNotContain(lab.Port(2), ports);
        Assert.Contains("ageing time 120 s", daemon.Cli("status").Stdout);
        Assert.Contains($"02:00:00:00:f1:01 dev {lab.Port(3)} static", daemon.Cli("fdb", "show").Stdout);
    }

    [Fact]
    public void Sighup_BrokenConfig_RefusedAndNothingChanges()
    {
        using DaemonLab lab = DaemonLab.Create(2);
        string path = lab.WriteFile("fastbridge.json", $$"""{"ports": ["{{lab.Port(0)}}", "{{lab.Port(1)}}"]}""");
        using FastBridgeDaemon daemon = FastBridgeDaemon.Start(lab.Socket, "--config", path);

        File.WriteAllText(path, $$"""{"ports": ["{{lab.Port(0)}}", "fbdnosuch0"]}""");
        daemon.Signal(ChildProcess.SigHup);

        Assert.True(daemon.WaitForLine("reload refused", TimeSpan.FromSeconds(10)), daemon.Output);
        Assert.Contains("interface 'fbdnosuch0' does not exist", daemon.Output);
        Assert.Contains(lab.Port(1), daemon.Cli("port", "show").Stdout);
        Assert.False(daemon.HasExited);
    }
}
