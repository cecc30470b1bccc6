using FastBridge.ControlPlane.Daemon;

namespace FastBridge.Tests.ControlPlane.Daemon;

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
        Assert.Equal(2, config.Datapath.Workers);
        Assert.Equal(30u, config.Datapath.AgeingTimeSeconds);
        Assert.Equal(1000, config.Datapath.FdbMaxEntries);
        Assert.Equal(0x4000, config.Datapath.GroupForwardMask);
        Assert.Equal(FastBridge.Datapath.Forwarding.IdleMode.Busy, config.Datapath.Idle);
        Assert.Equal([0], config.Datapath.Cpus ?? []);
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

        Assert.Equal(50u, config.Datapath.AgeingTimeSeconds);
        Assert.Equal(["b0", "b1"], config.Ports);
        Assert.False(config.SocketExplicit);
    }

    [Theory]
    [InlineData("""{"ports": ["a0"], "workers": 0}""", "key 'workers': must be between 1 and 64, not 0")]
    [InlineData("""{"ports": ["a0"], "wrokers": 2}""", "key 'wrokers': unknown key")]
    [InlineData("""{"ports": []}""", "key 'ports': no ports")]
    [InlineData("""{"ports": ["a0", "a0"]}""", "key 'ports': port a0 is named twice")]
    [InlineData("""{"ports": ["a0", "abcdefghijklmnop"]}""", "key 'ports': 'abcdefghijklmnop' is longer than an interface name may be (15 characters)")]
    [InlineData("""{"ports": ["a0"], "ageingTime": "soon"}""", "key 'ageingTime': must be a number, not a string (\"soon\")")]
    [InlineData("""{"ports": ["a0"], "ageingTime": "300"}""", "key 'ageingTime': must be a number, not a string (\"300\")")]
    [InlineData("""{"ports": ["a0"], "ageingTime": 1.5}""", "key 'ageingTime': '1.5' is not a whole number")]
    [InlineData("""{"ports": ["a0"], "workers": null}""", "key 'workers': must be a number, not null")]
    [InlineData("""{"ports": "a0"}""", "key 'ports': must be a list, not a string")]
    [InlineData("""{"ports": ["a0", 5]}""", "key 'ports:1': must be a string, not a number (5)")]
    [InlineData("""{"ports": ["a0"], "fdb": [{"mac": "02:00:00:00:00:01", "port": "a0", "static": "true"}]}""", "key 'fdb:0:static': must be true or false, not a string")]
    [InlineData("""{"ports": ["a0"], "fdb": [{"mac": "02:00:00:00:00:01", "port": "a0", "colour": "red"}]}""", "key 'fdb:0:colour': unknown key (known: mac, port, static)")]
    [InlineData("""{"ports": ["a0"], "http": "[::ffff:127.0.0.1]:9470"}""", "key 'http': ::ffff:127.0.0.1 is an IPv4-mapped address; write 127.0.0.1:9470")]
    [InlineData("""{"ports": ["a0"], "httpTokenFile": "/etc/fastbridge/token"}""", "key 'httpTokenFile': the token guards the API over http, which is off")]
    [InlineData("""{"ports": ["a0"], "idle": "nap"}""", "key 'idle': 'nap' must be block or busy")]
    [InlineData("""{"ports": ["a0"], "fastPath": "sometimes"}""", "key 'fastPath': 'sometimes' must be auto, on or off")]
    [InlineData("""{"ports": ["a0"], "cpus": "1-"}""", "key 'cpus': '1-' is not a CPU list")]
    [InlineData("""{"ports": ["a0"], "cpus": "1000"}""", "key 'cpus': CPU 1000 is not online")]
    [InlineData("""{"ports": ["a0"], "backend": "xdp"}""", "key 'backend': 'xdp' is not a backend")]
    [InlineData("""{"ports": ["a0"], "groupFwdMask": "1"}""", "key 'groupFwdMask': bits 0-2")]
    [InlineData("""{"ports": ["a0"], "http": "0.0.0.0:80"}""", "key 'http': 0.0.0.0 is not a loopback address")]
    [InlineData("""{"ports": ["a0"], "fdb": [{"mac": "02:00:00:00:00:zz", "port": "a0"}]}""", "key 'fdb:0:mac': malformed MAC address")]
    [InlineData("""{"ports": ["a0"], "fdb": [{"mac": "01:00:5e:00:00:01", "port": "a0"}]}""", "key 'fdb:0:mac': 01:00:5e:00:00:01 is not a unicast address")]
    [InlineData("""{"ports": ["a0"], "fdb": [{"mac": "02:00:00:00:00:01", "port": "b9"}]}""", "key 'fdb:0:port': b9 is not one of the ports")]
    [InlineData("""{"ports": ["a0"], "fdb": [{"mac": "02:00:00:00:00:01"}]}""", "key 'fdb:0:port': missing")]
    [InlineData("""{"ports": ["a0"], "ringSize": 1000}""", "key 'ringSize': must be a power of two from 64 to 16384, not 1000")]
    [InlineData("""{"ports": ["a0"], "umemFrames": 64}""", "key 'umemFrames': must be between 512 and 1048576, not 64")]
    [InlineData("""{"ports": ["a0"], "umemFrames": "4096"}""", "key 'umemFrames': must be a number, not a string")]
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
    public void Load_NumbersWhereAStringMayBeANumber_Accepted()
    {
        string path = Write("""{"ports": ["a0"], "groupFwdMask": 16384, "cpus": 0}""");

        DaemonConfig config = DaemonConfig.Load(path, Flags());

        Assert.Equal(0x4000, config.Datapath.GroupForwardMask);
        Assert.Equal([0], config.Datapath.Cpus ?? []);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Load_HugeKeyOrValue_EchoedCutOnOneLine(bool inKey)
    {
        string huge = "\\n" + new string('k', 1 << 20);
        string path = Write(inKey ? $$"""{"ports": ["a0"], "{{huge}}": 1}""" : $$"""{"ports": ["a0"], "backend": "{{huge}}"}""");

        ConfigException e = Assert.Throws<ConfigException>(() => DaemonConfig.Load(path, Flags()));

        Assert.Contains("kkkk…", e.Message);
        Assert.True(e.Message.Length < 400, $"{e.Message.Length} characters");
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Load_TokenFile_LoadedWithHttp()
    {
        string token = Path.Combine(_dir.FullName, "token");
        File.WriteAllText(token, "0123456789abcdef0123456789abcdef\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(token, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        string path = Write($$"""{"ports": ["a0"], "http": "127.0.0.1:9470", "httpTokenFile": "{{token}}"}""");

        DaemonConfig config = DaemonConfig.Load(path, Flags());

        Assert.True(config.HttpToken?.Accepts("Bearer 0123456789abcdef0123456789abcdef"));
        Assert.DoesNotContain("0123456789abcdef", config.ToString());
        Assert.Equal("command line: key 'httpTokenFile': /nonexistent/token no such file",
            Assert.Throws<ConfigException>(() => DaemonConfig.Load(path, Flags(("httpTokenFile", "/nonexistent/token")))).Message);
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
