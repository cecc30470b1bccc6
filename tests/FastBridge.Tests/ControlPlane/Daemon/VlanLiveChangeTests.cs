using System.Globalization;
using System.Text.Json;

namespace FastBridge.Tests.ControlPlane.Daemon;

/// <summary>
/// VLAN membership changed while traffic flows (issue 13), on a daemon as a user runs it: `fastbridge run --config`
/// with --vlan-filtering in the file, changed by `vlan add|del` and by SIGHUP. Both ports are access ports of VLAN 20
/// (PVID, untagged); numbered frames cross from host 0 to host 1 in VLAN 20 while VLAN 10 comes and goes on those same
/// ports: not one may be lost or reordered. Taking VLAN 20 itself off a port stops its frames with the command's return
/// (counted vlan_filtered on ingress, not sent on egress) and giving it back lets them through again. A reload of a
/// config with a bad VLAN entry (issue 13's list) is refused in one line naming the value, and changes nothing.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class VlanLiveChangeTests
{
    /// <summary>A cap on the numbered traffic, which runs while the commands do: about 1,500 frames a second.</summary>
    private const int MaxFrames = 30_000;

    /// <summary>The frames of each burst in the stop-and-go part.</summary>
    private const int Burst = 200;

    private static readonly ulong s_hostA = TestFrames.Mac("02:00:00:00:f3:0a"), s_hostB = TestFrames.Mac("02:00:00:00:f3:0b");

    /// <summary>A frame crosses a veth and a poll loop in well under a millisecond; 3 s is lost, even on a loaded machine.</summary>
    private static readonly TimeSpan s_arrival = TimeSpan.FromSeconds(3);

    [Theory]
    [InlineData("afpacket")]
    [InlineData("afxdp")]
    public void VlanAddDelAndReload_OfAnotherVlan_LoseAndReorderNoFrame_ThenDelStopsAndAddResumesAtOnce(string backend)
    {
        using DaemonLab lab = DaemonLab.Create(2);
        string path = lab.WriteFile("fastbridge.json", Config(lab, withVlan10: false));
        using FastBridgeDaemon daemon = FastBridgeDaemon.Start(lab.Socket, "--config", path, "--backend", backend);
        using RawSocket hostA = lab.OpenHost(0);
        using RawSocket hostB = lab.OpenHost(1);
        hostB.Send(TestFrames.Numbered(-1, TestFrames.MinFrame, s_hostA, s_hostB)); // B is known unicast in VLAN 20 from here
        using var received = new SequenceReceiver(hostB, s_hostA);

        int sent = SendWhile(hostA, () =>
        {
            Ok(daemon, "vlan", "add", "dev", lab.Port(0), "vid", "10");
            Ok(daemon, "vlan", "add", "dev", lab.Port(1), "vid", "10-11");
            Assert.Contains("  10\n", Ok(daemon, "vlan", "show"));
            Ok(daemon, "vlan", "del", "dev", lab.Port(0), "vid", "10");
            Ok(daemon, "vlan", "del", "dev", lab.Port(1), "vid", "10-11");
            Reload(daemon, path, Config(lab, withVlan10: true), 1);
            Assert.Contains("  10\n", Ok(daemon, "vlan", "show"));
            Reload(daemon, path, Config(lab, withVlan10: false), 2);
        });
        Assert.DoesNotContain("  10\n", Ok(daemon, "vlan", "show"), StringComparison.Ordinal);
        ExpectWholeAndInOrder(received, 0, sent, daemon);
        Console.WriteLine($"[{backend}] {sent} numbered frames crossed in VLAN 20 during the changes, none lost or reordered");

        // VLAN 20 off the ingress port: untagged frames there have no PVID now, every one dropped as vlan_filtered.
        ulong filteredBefore = Drops(daemon, lab.Port(0), "vlan_filtered");
        Ok(daemon, "vlan", "del", "dev", lab.Port(0), "vid", "20");
        SendBurst(hostA, sent);
        Assert.True(SpinWait.SpinUntil(() => Drops(daemon, lab.Port(0), "vlan_filtered") - filteredBefore == Burst, s_arrival),
            $"{Burst} frames sent to a port outside their VLAN, {Drops(daemon, lab.Port(0), "vlan_filtered") - filteredBefore} counted vlan_filtered");
        ExpectNone(received, sent, daemon);
        Ok(daemon, "vlan", "add", "dev", lab.Port(0), "vid", "20", "pvid", "untagged");
        SendBurst(hostA, sent + Burst);
        ExpectWholeAndInOrder(received, sent + Burst, Burst, daemon);

        // VLAN 20 off the egress port: nothing leaves it (B's entry went with it, and VLAN 20 floods to no other port).
        ulong txBefore = Counter(daemon, lab.Port(1), "txPackets");
        Ok(daemon, "vlan", "del", "dev", lab.Port(1), "vid", "20");
        SendBurst(hostA, sent + 2 * Burst);
        ExpectNone(received, sent + 2 * Burst, daemon);
        Assert.Equal(txBefore, Counter(daemon, lab.Port(1), "txPackets"));
        Ok(daemon, "vlan", "add", "dev", lab.Port(1), "vid", "20", "pvid", "untagged");
        SendBurst(hostA, sent + 3 * Burst);
        ExpectWholeAndInOrder(received, sent + 3 * Burst, Burst, daemon);
    }

    [Fact]
    public void Sighup_BadVlanEntries_RefusedInOneLineNamingTheValue_NothingChanged()
    {
        using DaemonLab lab = DaemonLab.Create(2);
        string path = lab.WriteFile("fastbridge.json", Config(lab, withVlan10: true));
        using FastBridgeDaemon daemon = FastBridgeDaemon.Start(lab.Socket, "--config", path);
        string before = Ok(daemon, "vlan", "show", "--json");
        string port = lab.Port(0);
        (string Entries, string Expected)[] bad =
        [
            ($$"""{"port": "{{port}}", "vid": 0}""", "key 'vlans:0:vid': invalid VLAN id 0"),
            ($$"""{"port": "{{port}}", "vid": "4000-4095"}""", "key 'vlans:0:vid': invalid VLAN id 4095"),
            ("""{"port": "fbdnosuch0", "vid": 10}""", "fbdnosuch0 is not one of the ports"),
            ($$"""{"port": "{{port}}", "vid": "10-20"}, {"port": "{{port}}", "vid": "15-30"}""", "15-30 overlaps 10-20 on " + port),
            ($$"""{"port": "{{port}}", "vid": 10, "pvid": true}, {"port": "{{port}}", "vid": 11, "pvid": true}""", port + " has PVID 10 already"),
        ];
        for (int i = 0; i < bad.Length; i++)
        {
            File.WriteAllText(path, Config(lab, bad[i].Entries));
            daemon.Signal(ChildProcess.SigHup);
            Assert.True(SpinWait.SpinUntil(() => RefusedReloads(daemon).Count > i, 10_000), $"no refusal of {bad[i].Entries}:\n{daemon.Output}");
            Assert.Contains(bad[i].Expected, RefusedReloads(daemon)[i]);
            Assert.Equal(before, Ok(daemon, "vlan", "show", "--json"));
        }
        Assert.False(daemon.HasExited);
    }

    /// <summary>Both ports access ports of VLAN 20; with withVlan10, members of VLAN 10 (tagged) as well.</summary>
    private static string Config(DaemonLab lab, bool withVlan10) =>
        Config(lab, string.Join(", ", lab.Ports.SelectMany(port => (string[])[
            $$"""{"port": "{{port}}", "vid": 20, "pvid": true, "untagged": true}""",
            .. withVlan10 ? [$$"""{"port": "{{port}}", "vid": 10}"""] : Array.Empty<string>()])));

    private static string Config(DaemonLab lab, string vlanEntries) =>
        $$"""{"ports": [{{string.Join(", ", lab.Ports.Select(p => $"\"{p}\""))}}], "vlanFiltering": true, "vlans": [{{vlanEntries}}]}""";

    /// <summary>The daemon's "reload refused" lines so far: each a whole refusal, one line.</summary>
    private static List<string> RefusedReloads(FastBridgeDaemon daemon) =>
        [.. daemon.Output.Split('\n').Where(l => l.Contains("reload refused", StringComparison.Ordinal))];

    /// <summary>Writes the config, SIGHUPs the daemon and waits for its <paramref name="nth"/> "reloaded" line.</summary>
    private static void Reload(FastBridgeDaemon daemon, string path, string config, int nth)
    {
        File.WriteAllText(path, config);
        daemon.Signal(ChildProcess.SigHup);
        Assert.True(SpinWait.SpinUntil(() => daemon.Output.Split('\n').Count(l => l.Contains("reloaded ", StringComparison.Ordinal)) >= nth, 10_000),
            $"no reload {nth}:\n{daemon.Output}");
    }

    /// <summary>Numbered frames from 0, about 1,500 a second, while <paramref name="change"/> runs (and 200 ms either side); how many went.</summary>
    private static int SendWhile(RawSocket from, Action change)
    {
        int sent = 0;
        bool done = false;
        var sender = new Thread(() =>
        {
            for (; sent < MaxFrames && !Volatile.Read(ref done); sent++)
            {
                from.Send(TestFrames.Numbered(sent, TestFrames.MinFrame, s_hostB, s_hostA));
                if (sent % 2 == 1)
                {
                    Thread.Sleep(1);
                }
            }
        });
        sender.Start();
        try
        {
            Thread.Sleep(200);
            change();
            Thread.Sleep(200);
        }
        finally
        {
            Volatile.Write(ref done, true);
            sender.Join();
        }
        Assert.True(sent < MaxFrames, $"the changes outlasted {MaxFrames} frames");
        return sent;
    }

    private static void SendBurst(RawSocket from, int first)
    {
        for (int i = first; i < first + Burst; i++)
        {
            from.Send(TestFrames.Numbered(i, TestFrames.MinFrame, s_hostB, s_hostA));
        }
    }

    private static void ExpectWholeAndInOrder(SequenceReceiver received, int first, int count, FastBridgeDaemon daemon)
    {
        string? problem = received.WholeAndInOrder(first, count, s_arrival);
        Assert.True(problem is null, $"{problem}\n{daemon.Output}");
    }

    /// <summary>None of the burst from <paramref name="first"/> arrives, waited for as long as one that crossed would take.</summary>
    private static void ExpectNone(SequenceReceiver received, int first, FastBridgeDaemon daemon)
    {
        Thread.Sleep(500);
        List<int> got = received.Arrived(first, Burst);
        Assert.True(got.Count == 0, string.Create(CultureInfo.InvariantCulture, $"{got.Count} of frames {first}..{first + Burst - 1} crossed, first {got.FirstOrDefault()}\n{daemon.Output}"));
    }

    private static string Ok(FastBridgeDaemon daemon, params string[] args)
    {
        ProcessResult result = daemon.Cli(args);
        Assert.True(result.ExitCode == 0, $"fastbridge {string.Join(' ', args)}: {result}\ndaemon:\n{daemon.Output}");
        return result.Stdout;
    }

    private static JsonElement PortStats(FastBridgeDaemon daemon, string port)
    {
        using JsonDocument stats = JsonDocument.Parse(Ok(daemon, "stats", "--json"));
        return stats.RootElement.GetProperty("ports").EnumerateArray().Single(p => p.GetProperty("name").GetString() == port).Clone();
    }

    private static ulong Counter(FastBridgeDaemon daemon, string port, string name) => PortStats(daemon, port).GetProperty(name).GetUInt64();

    private static ulong Drops(FastBridgeDaemon daemon, string port, string reason) =>
        PortStats(daemon, port).GetProperty("drops").GetProperty(reason).GetUInt64();
}
