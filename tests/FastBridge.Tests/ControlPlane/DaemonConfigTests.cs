using FastBridge.ControlPlane.Daemon;

namespace FastBridge.Tests.ControlPlane;

/// <summary>Loading the config: file, then FASTBRIDGE_* variables, then flags; every refusal names source, key and problem.</summary>
public sealed class DaemonConfigTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("fbcfg-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Write(string json)
    {
        string path = Path.Combine(_dir.FullName, "fastbridge.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static Dictionary<string, string?> Flags(params (string Key, string Value)[] flags) =>
        flags.ToDictionary(f => f.Key, f => (string?)f.Value, StringComparer.OrdinalIgnoreCase);

    [Fact]
    public void Load_FullFile_ReadsEveryKey()
    {
        string path = Write("""
            {"ports": ["a0", "a1"], "backend": "afpacket", "workers": 2, "ageingTime": 30, "fdbMax": 1000,
             "groupFwdMask": "0x4000", "idle": "busy", "statsInterval": 0, "cpus": "0",
             "fdb": [{"mac": "02:00:00:00:00:AA", "port": "a1", "static": true}],
             "socket": "/tmp/x.sock", "http": "127.0.0.1:9470"}
            """);

        DaemonConfig config = DaemonConfig.Load(path, Flags());

        Assert.Equal(["a0", "a1"], config.Ports);
        Assert.Equal(2, config.Bridge.Workers);
        Assert.Equal(30u, config.Bridge.AgeingTimeSeconds);
        Assert.Equal(1000, config.Bridge.FdbMaxEntries);
        Assert.Equal(0x4000, config.Bridge.GroupForwardMask);
        Assert.Equal(Datapath.Forwarding.IdleMode.Busy, config.Bridge.Idle);
        Assert.Equal([0], config.Bridge.Cpus ?? []);
        Assert.Equal([new StaticFdbEntry("02:00:00:00:00:aa", "a1")], config.StaticFdb);
        Assert.Equal("/tmp/x.sock", config.Socket);
        Assert.True(config.SocketExplicit);
        Assert.Equal("127.0.0.1:9470", config.Http?.ToString());
    }

    [Fact]
    public void Load_FlagOverFile_FlagWins()
    {
        string path = Write("""{"ports": ["a0"], "ageingTime": 30}""");

        DaemonConfig config = DaemonConfig.Load(path, Flags(("ageingTime", "50"), ("ports:0", "b0"), ("ports:1", "b1")));

        Assert.Equal(50u, config.Bridge.AgeingTimeSeconds);
        Assert.Equal(["b0", "b1"], config.Ports);
        Assert.False(config.SocketExplicit);
    }

    [Theory]
    [InlineData("""{"ports": ["a0"], "workers": 0}""", "key 'workers': must be between 1 and 64, not 0")]
    [InlineData("""{"ports": ["a0"], "wrokers": 2}""", "key 'wrokers': unknown key")]
    [InlineData("""{"ports": []}""", "key 'ports': no ports")]
    [InlineData("""{"ports": ["a0", "a0"]}""", "key 'ports': port a0 is named twice")]
    [InlineData("""{"ports": ["a0"], "ageingTime": "soon"}""", "key 'ageingTime': 'soon' is not a whole number")]
    [InlineData("""{"ports": ["a0"], "idle": "nap"}""", "key 'idle': 'nap' must be block or busy")]
    [InlineData("""{"ports": ["a0"], "cpus": "1-"}""", "key 'cpus': '1-' is not a CPU list")]
    [InlineData("""{"ports": ["a0"], "cpus": "1000"}""", "key 'cpus': CPU 1000 is not online")]
    [InlineData("""{"ports": ["a0"], "backend": "xdp"}""", "key 'backend': 'xdp' is not a backend")]
    [InlineData("""{"ports": ["a0"], "groupFwdMask": "1"}""", "key 'groupFwdMask': bits 0-2")]
    [InlineData("""{"ports": ["a0"], "http": "0.0.0.0:80"}""", "key 'http': 0.0.0.0 is not a loopback address")]
    [InlineData("""{"ports": ["a0"], "fdb": [{"mac": "02:00:00:00:00:zz", "port": "a0"}]}""", "key 'fdb:0:mac': malformed MAC address")]
    [InlineData("""{"ports": ["a0"], "fdb": [{"mac": "01:00:5e:00:00:01", "port": "a0"}]}""", "key 'fdb:0:mac': 01:00:5e:00:00:01 is not a unicast address")]
    [InlineData("""{"ports": ["a0"], "fdb": [{"mac": "02:00:00:00:00:01", "port": "b9"}]}""", "key 'fdb:0:port': b9 is not one of the ports")]
    [InlineData("""{"ports": ["a0"], "fdb": [{"mac": "02:00:00:00:00:01"}]}""", "key 'fdb:0:port': missing")]
    [InlineData("""{"ports": ["a0"], """, "not valid JSON")]
    public void Load_BadFile_RefusedNamingFileKeyAndProblem(string json, string problem)
    {
        string path = Write(json);

        ConfigException e = Assert.Throws<ConfigException>(() => DaemonConfig.Load(path, Flags()));

        Assert.StartsWith($"config {path}: ", e.Message);
        Assert.Contains(problem, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Load_BadFlagOverGoodFile_NamesTheCommandLine()
    {
        string path = Write("""{"ports": ["a0"]}""");

        ConfigException e = Assert.Throws<ConfigException>(() => DaemonConfig.Load(path, Flags(("workers", "99"))));

        Assert.Equal("command line: key 'workers': must be between 1 and 64, not 99", e.Message);
    }

    [Fact]
    public void Load_MissingFile_Refused()
    {
        string path = Path.Combine(_dir.FullName, "absent.json");

        Assert.Equal($"config {path}: no such file", Assert.Throws<ConfigException>(() => DaemonConfig.Load(path, Flags())).Message);
    }
}
