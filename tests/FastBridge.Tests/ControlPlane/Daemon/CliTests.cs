using System.Text.Json;
using FastBridge.ControlPlane.Api;
using FastBridge.ControlPlane.Cli;
using FastBridge.ControlPlane.Switch;

namespace FastBridge.Tests.ControlPlane.Daemon;

/// <summary>One daemon on two veth ports (a third spare), shared by the tests of this class.</summary>
public sealed class CliFixture() : DaemonFixture(3, lab => ["--port", lab.Port(0), "--port", lab.Port(1)]);

/// <summary>Every CLI command against a running daemon, and every refusal the issue lists.</summary>
[Collection(DaemonCollection.Name)]
public sealed partial class CliTests(CliFixture fixture) : IClassFixture<CliFixture>
{
    private readonly DaemonLab _lab = fixture.Lab;
    private readonly FastBridgeDaemon _daemon = fixture.Daemon;

    private ProcessResult Ok(params string[] args)
    {
        ProcessResult result = _daemon.Cli(args);
        Assert.True(result.ExitCode == 0, $"fastbridge {string.Join(' ', args)}: {result}\ndaemon:\n{_daemon.Output}");
        return result;
    }

    private void Refused(string expected, params string[] args)
    {
        ProcessResult result = _daemon.Cli(args);
        Assert.True(result.ExitCode == 1, $"fastbridge {string.Join(' ', args)} should be refused: {result}");
        Assert.Single(result.Stderr.Split('\n'));
        Assert.StartsWith("fastbridge: ", result.Stderr);
        Assert.Contains(expected, result.Stderr);
    }

    [Fact]
    public void Status_RunningDaemon_ShowsPortsBackendAndApi()
    {
        string status = Ok("status").Stdout;

        Assert.Contains("running", status);
        Assert.Contains($"{_lab.Port(0)}, {_lab.Port(1)}", status);
        Assert.Contains("backend auto", status);
        Assert.Contains($"unix:{_lab.Socket}", status);
        StatusInfo json = JsonSerializer.Deserialize(Ok("status", "--json").Stdout, ApiJson.Default.StatusInfo)!;
        Assert.Equal(_daemon.Pid, json.Pid);
    }

    [Fact]
    public void PortAddShowDel_SparePort_ComesAndGoes()
    {
        Assert.Contains($"port {_lab.Port(2)} added", Ok("port", "add", _lab.Port(2)).Stdout);
        Assert.Matches($"{_lab.Port(2)} state forwarding backend (afxdp|afpacket)", Ok("port", "show").Stdout);

        Assert.Contains($"port {_lab.Port(2)} removed", Ok("port", "del", _lab.Port(2)).Stdout);
        Assert.DoesNotContain(_lab.Port(2), Ok("port", "show").Stdout);
    }

    [Fact]
    public void PortAdd_Refusals_OneLineEach()
    {
        Refused($"port {_lab.Port(0)} is already present", "port", "add", _lab.Port(0));
        Refused("interface 'fbdnosuch0' does not exist", "port", "add", "fbdnosuch0");
        Refused("interface lo is a loopback interface", "port", "add", "lo");
        Refused("unknown port fbdnosuch0", "port", "del", "fbdnosuch0");
    }

    [Fact]
    public void FdbAddShowDel_StaticAndDynamic_ListedLikeBridgeFdb()
    {
        Ok("fdb", "add", "02:00:00:00:aa:01", "dev", _lab.Port(0), "static");
        Ok("fdb", "add", "02:00:00:00:aa:02", "dev", _lab.Port(1));

        string all = Ok("fdb", "show").Stdout;
        Assert.Contains($"02:00:00:00:aa:01 dev {_lab.Port(0)} static", all);
        Assert.Matches($"02:00:00:00:aa:02 dev {_lab.Port(1)} dynamic age [0-9]+s", all);
        string only = Ok("fdb", "show", "--port", _lab.Port(1)).Stdout;
        Assert.DoesNotContain("02:00:00:00:aa:01", only);
        BridgeFdbEntry[] json = JsonSerializer.Deserialize(Ok("fdb", "show", "--json").Stdout, BridgeJson.Default.BridgeFdbEntryArray)!;
        Assert.Contains(json, e => e.Mac == "02:00:00:00:aa:01" && e.State == "static" && e.Ifname == _lab.Port(0) && e.Updated is null);

        Ok("fdb", "del", "02:00:00:00:aa:01");
        Ok("fdb", "del", "02:00:00:00:aa:02");
        Assert.DoesNotContain("02:00:00:00:aa:0", Ok("fdb", "show").Stdout);
        Refused("no FDB entry for 02:00:00:00:aa:01", "fdb", "del", "02:00:00:00:aa:01");
    }

    [Fact]
    public void Fdb_Refusals_OneLineEach()
    {
        Refused("malformed MAC address '02:00:00:00:aa:zz'", "fdb", "add", "02:00:00:00:aa:zz", "dev", _lab.Port(0));
        Refused("not a unicast address", "fdb", "add", "ff:ff:ff:ff:ff:ff", "dev", _lab.Port(0));
        Refused("unknown port fbdnosuch0", "fdb", "add", "02:00:00:00:aa:03", "dev", "fbdnosuch0");
        Refused("unknown port fbdnosuch0", "fdb", "show", "--port", "fbdnosuch0");
        Refused("unknown port fbdnosuch0", "fdb", "flush", "--port", "fbdnosuch0");
        Refused("malformed MAC address", "fdb", "del", "nonsense");
    }

    [Fact]
    public void FdbFlush_OnePort_RemovesDynamicKeepsStatic()
    {
        Ok("fdb", "add", "02:00:00:00:bb:01", "dev", _lab.Port(0), "static");
        Ok("fdb", "add", "02:00:00:00:bb:02", "dev", _lab.Port(0));
        Ok("fdb", "add", "02:00:00:00:bb:03", "dev", _lab.Port(1));

        // At least ours: other tests' traffic may have left learned entries on the port too.
        Assert.Matches($"flushed [1-9][0-9]* dynamic entries on {_lab.Port(0)}", Ok("fdb", "flush", "--port", _lab.Port(0)).Stdout);
        string after = Ok("fdb", "show").Stdout;
        Assert.Contains("02:00:00:00:bb:01", after);
        Assert.DoesNotContain("02:00:00:00:bb:02", after);
        Assert.Contains("02:00:00:00:bb:03", after);

        Ok("fdb", "flush");
        after = Ok("fdb", "show").Stdout;
        Assert.DoesNotContain("02:00:00:00:bb:03", after);
        Assert.Contains("02:00:00:00:bb:01", after);
        Ok("fdb", "del", "02:00:00:00:bb:01");
    }

    [Fact]
    public void SetAgeingTime_ValidAndInvalid()
    {
        Assert.Contains("ageing time 120 s", Ok("set", "ageing-time", "120").Stdout);
        Assert.Contains("ageing time 120 s", Ok("status").Stdout);

        Refused("ageing time must be between 1 and 1000000 seconds, not 0", "set", "ageing-time", "0");

        Ok("set", "ageing-time", "300");
    }

    [Fact]
    public void Stats_AfterTraffic_CountsPortsWorkersAndFdb()
    {
        using (RawSocket host = _lab.OpenHost(0))
        {
            for (int i = 0; i < 5; i++)
            {
                host.Send(TestFrames.Sized(TestFrames.Mac("02:00:00:00:cc:02"), TestFrames.Mac("02:00:00:00:cc:01"), TestFrames.MinFrame));
            }
        }
        StatsInfo stats = WaitForStats(s => s.Ports.First(p => p.Name == _lab.Port(0)).RxPackets >= 5);

        Assert.True(stats.Ports.First(p => p.Name == _lab.Port(1)).TxPackets >= 5);
        Assert.True(stats.Fdb.Learned >= 1);
        Assert.Single(stats.Workers);
        Assert.Contains("rx_ring_full", stats.Ports[0].Drops.Keys);
        string text = Ok("stats").Stdout;
        Assert.Contains(_lab.Port(0), text);
        Assert.Contains("worker 0: busy", text);
        Assert.Contains("fdb: ", text);
        string watch = Ok("stats", "--watch", "--count", "2", "--interval", "0.2").Stdout;
        Assert.Equal(2, watch.Split('\n').Count(l => l.StartsWith("---", StringComparison.Ordinal)));
        Assert.Contains("rx pps", watch);
    }

    [Fact]
    public void Cli_NoDaemonOnSocket_SaysHowToStartOne()
    {
        string socket = Path.Combine(_lab.Directory.FullName, "nobody-here.sock");
        ProcessResult result = FastBridgeDaemon.RunCli(["status", "--socket", socket]);

        Assert.Equal(3, result.ExitCode);
        Assert.Single(result.Stderr.Split('\n'));
        Assert.Contains($"no fastbridge daemon is running on {socket}; start one with `fastbridge run --port IF", result.Stderr);
    }

    [Fact]
    public void Cli_StaleSocketNobodyListens_SaysNoDaemonIsRunning()
    {
        string socket = Path.Combine(_lab.Directory.FullName, "stale.sock");
        using (var stale = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified))
        {
            stale.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(socket));
        }
        ProcessResult result = FastBridgeDaemon.RunCli(["fdb", "show", "--socket", socket]);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"no fastbridge daemon is running on {socket}", result.Stderr);
    }

    [Fact]
    public void Cli_UserWithoutSocketAccess_PermissionDenied()
    {
        ProcessResult result = FastBridgeDaemon.RunCli(["port", "show", "--socket", _lab.Socket], asUser: ChildProcess.Nobody);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"permission denied on {_lab.Socket}", result.Stderr);
    }

    private StatsInfo WaitForStats(Func<StatsInfo, bool> condition)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            StatsInfo stats = JsonSerializer.Deserialize(Ok("stats", "--json").Stdout, ApiJson.Default.StatsInfo)!;
            if (condition(stats) || DateTime.UtcNow > deadline)
            {
                return stats;
            }
            Thread.Sleep(100);
        }
    }
}
