using FastBridge.ControlPlane.Daemon;
using FastBridge.ControlPlane.Switch;
using FastBridge.Datapath.Frames;

namespace FastBridge.Tests.ControlPlane.Daemon;

/// <summary>The VLAN keys of the config (vlanFiltering, vlanProtocol, defaultPvid, vlans) and every refusal issue 13 lists.</summary>
public sealed class DaemonConfigVlanTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("fbcfgvlan-");

    public void Dispose() => _dir.Delete(recursive: true);

    private DaemonConfig Load(string json)
    {
        string path = Path.Combine(_dir.FullName, "fastbridge.json");
        File.WriteAllText(path, json);
        return DaemonConfig.Load(path, new Dictionary<string, string?>());
    }

    [Fact]
    public void Load_VlanKeys_ReadAndDefaultsFilledIn()
    {
        DaemonConfig config = Load("""
            {"ports": ["a0", "a1"], "vlanFiltering": true, "vlanProtocol": "802.1ad", "defaultPvid": 5,
             "vlans": [{"port": "a0", "vid": "10-20"}, {"port": "a0", "vid": 30, "pvid": true, "untagged": true}]}
            """);

        Assert.True(config.Datapath.VlanFiltering);
        Assert.Equal(VlanTag.ServiceTpid, config.Datapath.VlanProtocol);
        Assert.Equal([new PortVlans("a0", new VlanRange(10, 20), false, false), new PortVlans("a0", new VlanRange(30, 30), true, true)], config.VlansOf("a0"));
        Assert.Equal([new PortVlans("a1", new VlanRange(5, 5), true, true)], config.VlansOf("a1"));
    }

    [Theory]
    [InlineData("""{"vid": "0"}""", "key 'vlans:0:vid': invalid VLAN id 0")]
    [InlineData("""{"vid": "4095"}""", "key 'vlans:0:vid': invalid VLAN id 4095")]
    [InlineData("""{"vid": "ten"}""", "malformed VLAN id 'ten'")]
    [InlineData("""{"vid": "10-20", "pvid": true}""", "a port has one PVID: 10-20 is a range")]
    public void Load_BadVlanEntry_RefusedNamingTheValue(string fields, string expected)
    {
        string entry = fields.Replace("{", "{\"port\": \"a0\", ", StringComparison.Ordinal);
        var error = Assert.Throws<ConfigException>(() => Load($$"""{"ports": ["a0"], "vlanFiltering": true, "vlans": [{{entry}}]}"""));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Load_OverlappingRangesOrTwoPvids_Refused()
    {
        Assert.Contains("15-30 overlaps 10-20 on a0", Assert.Throws<ConfigException>(() => Load(
            """{"ports": ["a0"], "vlanFiltering": true, "vlans": [{"port": "a0", "vid": "10-20"}, {"port": "a0", "vid": "15-30"}]}""")).Message);
        Assert.Contains("a0 has PVID 10 already", Assert.Throws<ConfigException>(() => Load(
            """{"ports": ["a0"], "vlanFiltering": true, "vlans": [{"port": "a0", "vid": 10, "pvid": true}, {"port": "a0", "vid": 11, "pvid": true}]}""")).Message);
    }

    [Theory]
    [InlineData("""{"ports": ["a0"], "vlanFiltering": true, "vlans": [{"port": "b9", "vid": 10}]}""", "b9 is not one of the ports")]
    [InlineData("""{"ports": ["a0"], "vlans": [{"port": "a0", "vid": 10}]}""", "VLAN membership needs vlanFiltering true")]
    [InlineData("""{"ports": ["a0"], "vlanProtocol": "802.1x"}""", "'802.1x' must be 802.1q or 802.1ad")]
    [InlineData("""{"ports": ["a0"], "defaultPvid": 4095}""", "key 'defaultPvid': must be between 0 and 4094, not 4095")]
    [InlineData("""{"ports": ["a0"], "vlanFiltering": "yes"}""", "key 'vlanFiltering': must be true or false")]
    public void Load_BadVlanSetting_RefusedNamingTheValue(string json, string expected)
    {
        Assert.Contains(expected, Assert.Throws<ConfigException>(() => Load(json)).Message);
    }

    [Fact]
    public void ConfigDiff_PortVlansChanged_OneSetVlansForThatPortOnly()
    {
        DaemonConfig running = Load("""{"ports": ["a0", "a1"], "vlanFiltering": true, "vlans": [{"port": "a0", "vid": 10}]}""");
        DaemonConfig wanted = Load("""{"ports": ["a0", "a1"], "vlanFiltering": true, "vlans": [{"port": "a0", "vid": "10-11"}]}""");

        List<ConfigCommand> commands = ConfigDiff.Compute(running, ["a0", "a1"], 300, wanted);

        Assert.Equal([new ConfigCommand.SetVlans("a0", wanted.VlansOf("a0"))], commands, (a, b) =>
            a is ConfigCommand.SetVlans x && b is ConfigCommand.SetVlans y && x.Port == y.Port && x.Entries.SequenceEqual(y.Entries));
    }
}
