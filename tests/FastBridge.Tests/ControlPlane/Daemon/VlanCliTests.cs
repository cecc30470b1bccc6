using System.Text.Json;
using FastBridge.ControlPlane.Api;
using FastBridge.ControlPlane.Switch;

namespace FastBridge.Tests.ControlPlane.Daemon;

/// <summary>One VLAN-aware daemon on two veth ports, shared by the tests of this class.</summary>
public sealed class VlanCliFixture() : DaemonFixture(2, lab => ["--port", lab.Port(0), "--port", lab.Port(1), "--vlan-filtering"]);

/// <summary>`vlan add|del|show` and the VLAN words of `fdb` against a running VLAN-aware daemon, and the refusals of issue 13.</summary>
[Collection(DaemonCollection.Name)]
public sealed class VlanCliTests(VlanCliFixture fixture) : IClassFixture<VlanCliFixture>
{
    private readonly DaemonLab _lab = fixture.Lab;
    private readonly FastBridgeDaemon _daemon = fixture.Daemon;

    private string Ok(params string[] args)
    {
        ProcessResult result = _daemon.Cli(args);
        Assert.True(result.ExitCode == 0, $"fastbridge {string.Join(' ', args)}: {result}\ndaemon:\n{_daemon.Output}");
        return result.Stdout;
    }

    private void Refused(string expected, params string[] args)
    {
        ProcessResult result = _daemon.Cli(args);
        Assert.True(result.ExitCode == 1, $"fastbridge {string.Join(' ', args)} should be refused: {result}");
        Assert.Single(result.Stderr.Split('\n'));
        Assert.Contains(expected, result.Stderr);
    }

    /// <summary>A usage error: exit 2, one line, before anything is sent.</summary>
    private void Usage(string expected, params string[] args)
    {
        ProcessResult result = _daemon.Cli(args);
        Assert.True(result.ExitCode == 2, $"fastbridge {string.Join(' ', args)} is a usage error: {result}");
        Assert.Single(result.Stderr.Split('\n'));
        Assert.Contains(expected, result.Stderr);
    }

    /// <summary>The API on the daemon's socket, as the CLI calls it: the status and a one-line error naming the value.</summary>
    private void ApiRefused(int status, string expected, string method, string path, string? body)
    {
        ProcessResult result = ChildProcess.Run("curl", ["-s", "-S", "-w", "\n%{http_code}", "--unix-socket", _lab.Socket, "-X", method,
            "-H", "Content-Type: application/json", .. body is null ? Array.Empty<string>() : ["--data-binary", body], "http://localhost" + path],
            TimeSpan.FromSeconds(30)).Trimmed();
        int last = result.Stdout.LastIndexOf('\n');
        string answer = last < 0 ? "" : result.Stdout[..last].Trim();
        Assert.True(result.Stdout[(last + 1)..] == status.ToString(System.Globalization.CultureInfo.InvariantCulture) && !answer.Contains('\n'), $"{method} {path}: {result}");
        Assert.Contains(expected, JsonSerializer.Deserialize(answer, ApiJson.Default.ErrorResponse)!.Error);
    }

    [Fact]
    public void VlanAddShowDel_Trunk_ListedAsBridgeVlanShowDoes()
    {
        string port = _lab.Port(1);
        Ok("vlan", "add", "dev", port, "vid", "10-11");
        Ok("vlan", "add", "dev", port, "vid", "20", "pvid", "untagged");

        string table = Ok("vlan", "show");
        Assert.StartsWith("port              vlan-id", table);
        Assert.Contains($"{port,-16}  1 Egress Untagged\n", table);
        Assert.Contains($"{"",-16}  10\n{"",-16}  11\n{"",-16}  20 PVID Egress Untagged", table);
        VlanPortInfo[] json = JsonSerializer.Deserialize(Ok("vlan", "show", "--json"), ApiJson.Default.VlanPortInfoArray)!;
        Assert.Contains(json.Single(p => p.Ifname == port).Vlans, v => v.Vlan == 20 && v.Flags.SequenceEqual(["PVID", "Egress Untagged"]));

        Ok("vlan", "del", "dev", port, "vid", "10-11");
        Ok("vlan", "add", "dev", port, "vid", "1", "pvid", "untagged");
        Ok("vlan", "del", "dev", port, "vid", "20");
        Assert.DoesNotContain("20", Ok("vlan", "show"), StringComparison.Ordinal);
    }

    [Fact]
    public void Vlan_Refusals_OneLineNamingTheValue_NothingChanged()
    {
        string port = _lab.Port(0);
        string before = Ok("vlan", "show", "--json");
        Usage("vlan add: vid: invalid VLAN id 0", "vlan", "add", "dev", port, "vid", "0");
        Usage("vlan add: vid: invalid VLAN id 4095", "vlan", "add", "dev", port, "vid", "4095", "pvid");
        Usage("vlan add: vid: invalid VLAN id 4095", "vlan", "add", "dev", port, "vid", "4000-4095");
        Usage("vlan del: vid: invalid VLAN id 0", "vlan", "del", "dev", port, "vid", "0");
        Usage("vlan add: vid: invalid VLAN range 20-10", "vlan", "add", "dev", port, "vid", "20-10");
        Usage("vlan add: unexpected word 'tagged'", "vlan", "add", "dev", port, "vid", "10", "tagged");
        Refused("unknown port fbdnosuch0", "vlan", "add", "dev", "fbdnosuch0", "vid", "10");
        Refused("unknown port fbdnosuch0", "vlan", "del", "dev", "fbdnosuch0", "vid", "1");
        Refused("a port has one PVID: 10-20 is a range", "vlan", "add", "dev", port, "vid", "10-20", "pvid");
        Assert.Equal(before, Ok("vlan", "show", "--json"));
    }

    [Fact]
    public void VlanApi_BadVidOrPort_400Or404OneLine_NothingChanged()
    {
        // The CLI refuses a bad vid before sending; the API, which other clients call, checks it again.
        string port = _lab.Port(0);
        string before = Ok("vlan", "show", "--json");
        ApiRefused(400, "invalid VLAN id 0", "POST", "/vlans", $$"""{"dev": "{{port}}", "vid": "0"}""");
        ApiRefused(400, "invalid VLAN id 4095", "POST", "/vlans", $$"""{"dev": "{{port}}", "vid": "4090-4095"}""");
        ApiRefused(400, "a port has one PVID: 10-11 is a range", "POST", "/vlans", $$"""{"dev": "{{port}}", "vid": "10-11", "pvid": true}""");
        ApiRefused(404, "unknown port fbdnosuch0", "POST", "/vlans", """{"dev": "fbdnosuch0", "vid": "10"}""");
        ApiRefused(400, "invalid VLAN id 4095", "DELETE", $"/vlans?dev={port}&vid=4095", null);
        Assert.Equal(before, Ok("vlan", "show", "--json"));
    }

    [Fact]
    public void VlanAdd_SecondPvidOrOverlappingRange_AsTheLinuxBridge()
    {
        // bridge vlan add ... pvid moves the port's one PVID (br_vlan_add sets the port's pvid, replacing the old), and
        // adds overlapping an earlier range add to it; the config file, a list and not a sequence of commands, refuses both.
        string port = _lab.Port(1);
        Ok("vlan", "add", "dev", port, "vid", "40-42");
        Ok("vlan", "add", "dev", port, "vid", "42-43");
        Ok("vlan", "add", "dev", port, "vid", "40", "pvid", "untagged");
        Ok("vlan", "add", "dev", port, "vid", "41", "pvid");
        VlanInfo[] vlans = JsonSerializer.Deserialize(Ok("vlan", "show", "--json"), ApiJson.Default.VlanPortInfoArray)!.Single(p => p.Ifname == port).Vlans;
        Assert.Equal([1, 40, 41, 42, 43], vlans.Select(v => v.Vlan));
        Assert.Single(vlans, v => v.Flags.Contains("PVID"));
        Assert.Equal(["PVID"], vlans.Single(v => v.Vlan == 41).Flags);
        Assert.Equal(["Egress Untagged"], vlans.Single(v => v.Vlan == 40).Flags);
        Ok("vlan", "add", "dev", port, "vid", "1", "pvid", "untagged");
        Ok("vlan", "del", "dev", port, "vid", "40-43");
    }

    [Fact]
    public void Fdb_WithVlan_AddedShownDeletedAndFlushedPerVlan()
    {
        string port = _lab.Port(0);
        Ok("vlan", "add", "dev", port, "vid", "30");
        Ok("fdb", "add", "02:00:00:00:cc:01", "dev", port, "vlan", "30", "static");
        Ok("fdb", "add", "02:00:00:00:cc:02", "dev", port, "vlan", "30");
        Ok("fdb", "add", "02:00:00:00:cc:02", "dev", port, "vlan", "1");
        Assert.Contains($"02:00:00:00:cc:01 dev {port} vlan 30 static", Ok("fdb", "show"));
        Refused("is not a member of vlan 31", "fdb", "add", "02:00:00:00:cc:01", "dev", port, "vlan", "31");
        Usage("fdb flush: --vlan: '4095' is not a VLAN id (1-4094)", "fdb", "flush", "--vlan", "4095");

        Assert.Contains("flushed 1 dynamic entries in vlan 30", Ok("fdb", "flush", "--vlan", "30"));
        string left = Ok("fdb", "show");
        Assert.Contains($"02:00:00:00:cc:02 dev {port} vlan 1 dynamic", left);
        Assert.Contains($"02:00:00:00:cc:01 dev {port} vlan 30 static", left);

        Ok("fdb", "del", "02:00:00:00:cc:01", "vlan", "30");
        Ok("fdb", "del", "02:00:00:00:cc:02");
        Assert.DoesNotContain("02:00:00:00:cc:0", Ok("fdb", "show"), StringComparison.Ordinal);
        Ok("vlan", "del", "dev", port, "vid", "30");
    }
}
