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
    public void Vlan_Refusals_OneLineNamingTheValue()
    {
        Refused("invalid VLAN id 0", "vlan", "add", "dev", _lab.Port(0), "vid", "0");
        Refused("invalid VLAN id 4095", "vlan", "add", "dev", _lab.Port(0), "vid", "4095");
        Refused("unknown port fbdnosuch0", "vlan", "add", "dev", "fbdnosuch0", "vid", "10");
        Refused("a port has one PVID: 10-20 is a range", "vlan", "add", "dev", _lab.Port(0), "vid", "10-20", "pvid");
        ProcessResult usage = _daemon.Cli("vlan", "add", "dev", _lab.Port(0), "vid", "10", "tagged");
        Assert.True(usage.ExitCode == 2, $"a malformed line is a usage error: {usage}");
        Assert.Contains("vlan add: unexpected word 'tagged'", usage.Stderr);
        Assert.DoesNotContain("  10", Ok("vlan", "show"), StringComparison.Ordinal);
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
        Refused("invalid VLAN id 4095", "fdb", "flush", "--vlan", "4095");

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
