using FastBridge.ControlPlane.Api;
using FastBridge.ControlPlane.Daemon;
using FastBridge.Datapath.Hosting;

namespace FastBridge.Tests.ControlPlane.Daemon;

/// <summary>A reloaded config turned into the commands that close the gap, and nothing more.</summary>
public sealed class ConfigDiffTests
{
    private static DaemonConfig Config(string[] ports, uint ageing = 300, int workers = 1, params StaticFdbEntry[] fdb) =>
        new(ports, "afpacket", "auto", new DatapathOptions(Workers: workers, AgeingTimeSeconds: ageing), 5, fdb, "/tmp/s.sock", true, null, null);

    [Fact]
    public void Compute_SameConfig_NoCommands()
    {
        DaemonConfig config = Config(["a", "b"], fdb: new StaticFdbEntry("02:00:00:00:00:01", "a"));

        Assert.Empty(ConfigDiff.Compute(config, ["a", "b"], 300, config));
    }

    [Fact]
    public void Compute_PortsAndAgeingChanged_RemovesAddsAndSetsOnlyTheDifference()
    {
        List<ConfigCommand> commands = ConfigDiff.Compute(Config(["a", "b", "c"]), ["a", "b", "c"], 300, Config(["a", "c", "d"], ageing: 60));

        Assert.Equal<ConfigCommand>(
            [new ConfigCommand.RemovePort("b"), new ConfigCommand.AddPort("d"), new ConfigCommand.SetAgeingTime(60)], commands);
    }

    [Fact]
    public void Compute_PortAddedByHand_IsRemovedAsTheConfigIsTheDesiredState()
    {
        List<ConfigCommand> commands = ConfigDiff.Compute(Config(["a", "b"]), ["a", "b", "x"], 300, Config(["a", "b"]));

        Assert.Equal<ConfigCommand>([new ConfigCommand.RemovePort("x")], commands);
    }

    [Fact]
    public void Compute_StaticEntries_MovedDroppedAndAdded()
    {
        var kept = new StaticFdbEntry("02:00:00:00:00:01", "a");
        var moved = new StaticFdbEntry("02:00:00:00:00:02", "a");
        var dropped = new StaticFdbEntry("02:00:00:00:00:03", "b");
        var added = new StaticFdbEntry("02:00:00:00:00:04", "b");
        DaemonConfig running = Config(["a", "b"], fdb: [kept, moved, dropped]);
        DaemonConfig wanted = Config(["a", "b"], fdb: [kept, moved with { Port = "b" }, added]);

        List<ConfigCommand> commands = ConfigDiff.Compute(running, ["a", "b"], 300, wanted);

        Assert.Equal<ConfigCommand>(
        [
            new ConfigCommand.RemoveStatic(moved.Mac), new ConfigCommand.RemoveStatic(dropped.Mac),
            new ConfigCommand.AddStatic(moved.Mac, "b"), new ConfigCommand.AddStatic(added.Mac, "b"),
        ], commands);
    }

    [Fact]
    public void Compute_WorkersChanged_ReportedAsNeedingARestart()
    {
        List<ConfigCommand> commands = ConfigDiff.Compute(Config(["a"]), ["a"], 300, Config(["a"], workers: 4));

        Assert.Equal<ConfigCommand>([new ConfigCommand.NeedsRestart("workers", "1", "4")], commands);
    }

    [Fact]
    public void Compute_TokenFileRewritten_ReportedAsNeedingARestart()
    {
        DirectoryInfo dir = Directory.CreateTempSubdirectory("fbdiff-");
        try
        {
            string file = Path.Combine(dir.FullName, "token");
            ApiToken Load(string token)
            {
                File.WriteAllText(file, token);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }
                Assert.True(ApiToken.TryLoad(file, out ApiToken? loaded, out string? error), error);
                return loaded!;
            }
            DaemonConfig running = Config(["a"]) with { HttpToken = Load("first-token-0123456789") };

            Assert.Empty(ConfigDiff.Compute(running, ["a"], 300, running with { HttpToken = Load("first-token-0123456789") }));
            Assert.Equal<ConfigCommand>([new ConfigCommand.NeedsRestart("httpTokenFile", file, file)],
                ConfigDiff.Compute(running, ["a"], 300, running with { HttpToken = Load("second-token-0123456789") }));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
