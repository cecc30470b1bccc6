using System.Text.Json;

namespace FastBridge.Tests.ControlPlane.Daemon;

/// <summary>
/// The CLI as an operator used to iproute2's `bridge` types it (issue 15): -j before or after the
/// command, `dev IF`, `master`, `permanent`, `--socket` first, `help` and `version`; JSON keyed as
/// `bridge -j`; and bad lines refused with exit 2 naming the bad word.
/// </summary>
public sealed partial class CliTests
{
    [Fact]
    public void FdbBridgeWords_AddShowDel_LikeBridge()
    {
        string p0 = _lab.Port(0), p1 = _lab.Port(1);
        Ok("fdb", "add", "02:00:00:00:dd:01", "dev", p0, "master", "static");
        Ok("fdb", "add", "02:00:00:00:dd:02", "dev", p1, "master", "permanent");
        Ok("fdb", "add", "02:00:00:00:dd:03", "dev", p1);

        string compact = Ok("-j", "fdb", "show").Stdout;
        Assert.DoesNotContain("\n", compact);
        JsonElement[] all = [.. JsonDocument.Parse(compact).RootElement.EnumerateArray()];
        JsonElement first = all.Single(e => e.GetProperty("mac").GetString() == "02:00:00:00:dd:01");
        Assert.Equal(["mac", "ifname", "flags", "state"], first.EnumerateObject().Select(p => p.Name));
        Assert.Equal(p0, first.GetProperty("ifname").GetString());
        Assert.Equal("static", first.GetProperty("state").GetString());
        Assert.Equal(0, first.GetProperty("flags").GetArrayLength());
        Assert.Equal("static", all.Single(e => e.GetProperty("mac").GetString() == "02:00:00:00:dd:02").GetProperty("state").GetString());
        JsonElement learned = all.Single(e => e.GetProperty("mac").GetString() == "02:00:00:00:dd:03");
        Assert.Equal("", learned.GetProperty("state").GetString());
        Assert.True(learned.GetProperty("updated").GetUInt32() < 60);

        string onlyP1 = Ok("fdb", "show", "dev", p1, "-j", "-p").Stdout;
        Assert.Contains("\n", onlyP1);
        Assert.All(JsonDocument.Parse(onlyP1).RootElement.EnumerateArray(), e => Assert.Equal(p1, e.GetProperty("ifname").GetString()));
        Assert.DoesNotContain("02:00:00:00:dd:01", Ok("fdb", "show", "--port", p1, "br", "br0").Stdout);

        ProcessResult wrongPort = _daemon.Cli("fdb", "del", "02:00:00:00:dd:01", "dev", p1);
        Assert.Equal(1, wrongPort.ExitCode);
        Assert.Contains($"02:00:00:00:dd:01 is on {p0}, not on {p1}; nothing removed", wrongPort.Stderr);
        Ok("fdb", "del", "02:00:00:00:dd:01", "dev", p0, "master");
        Assert.Matches($"flushed [1-9][0-9]* dynamic entries on {p1}", Ok("fdb", "flush", "dev", p1).Stdout);
        Ok("fdb", "del", "02:00:00:00:dd:02");
        Assert.DoesNotContain("02:00:00:00:dd:0", Ok("fdb", "show").Stdout);

        // Without --vlan-filtering no entry is in a VLAN: as bridge on a bridge without vlan_filtering, nothing to show.
        Assert.Equal("", Ok("fdb", "show", "vlan", "10").Stdout);
    }

    [Fact]
    public void PortShow_Json_KeyedAsBridgeLink()
    {
        JsonElement[] ports = [.. JsonDocument.Parse(Ok("port", "show", "-j").Stdout).RootElement.EnumerateArray()];

        Assert.Equal([_lab.Port(0), _lab.Port(1)], ports.Select(p => p.GetProperty("ifname").GetString()));
        Assert.All(ports, p => Assert.Equal("forwarding", p.GetProperty("state").GetString()));
        Assert.All(ports, p => Assert.False(p.TryGetProperty("reason", out _)));
    }

    [Fact]
    public void GlobalOptionsAndWords_BeforeTheCommand_Accepted()
    {
        ProcessResult socketFirst = FastBridgeDaemon.RunCli(["--socket", _lab.Socket, "-j", "fdb", "show", "dev", _lab.Port(0)]);
        Assert.True(socketFirst.ExitCode == 0, socketFirst.ToString());
        Assert.StartsWith("[", socketFirst.Stdout);
        string json = Ok("-j", "status").Stdout;
        Assert.StartsWith("{\"version\":", json);
        Assert.DoesNotContain("\n", json);
        ProcessResult version = FastBridgeDaemon.RunCli(["version"]);
        Assert.Equal(0, version.ExitCode);
        Assert.StartsWith("fastbridge 0.", version.Stdout);
        Assert.Equal(version.Stdout, FastBridgeDaemon.RunCli(["--version"]).Stdout);
        ProcessResult help = FastBridgeDaemon.RunCli(["help", "fdb", "add"]);
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("fastbridge fdb add", help.Stdout);
        Assert.Contains("permanent", help.Stdout);
    }

    [Theory]
    [InlineData("--bogus", "unrecognized option '--bogus'")]
    [InlineData("fdb show -j --bogus", "unrecognized option '--bogus'")]
    [InlineData("set ageing-time abc", "ageing-time: 'abc' is not a whole number of seconds")]
    [InlineData("fdb add 02:00:00:00:dd:04 on veth9", "unexpected word 'on'")]
    [InlineData("fdb show dev", "dev needs IF after it")]
    [InlineData("stats --count lots", "--count: 'lots' is not a whole number")]
    public void Cli_BadLine_ExitsTwoNamingTheWord(string line, string expected)
    {
        ProcessResult result = _daemon.Cli(line.Split(' '));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.StartsWith("fastbridge: ", Assert.Single(result.Stderr.Split('\n')));
        Assert.Contains(expected, result.Stderr);
        Assert.DoesNotContain("System.", result.Stderr);
    }
}
