// Forwarding behaviour, each test run against the Linux bridge (the reference) and FastBridge.
// Hosts are 1-based (h1..h4) as in the descriptions; every test builds and removes its own lab.
using System.Globalization;
using System.Text.Json;
using FastBridge.Datapath.Frames;

namespace FastBridge.Tests.Integration;

[Collection(IntegrationCollection.Name)]
public sealed class ForwardingTests
{
    /// <summary>Never a source in any test, so the switch can never have learned it.</summary>
    internal const ulong UnknownMac = 0x02FB_7E57_EE01UL;

    private const ulong MulticastSourceMac = 0x03FB_7E57_0001UL;

    /// <summary>The reference and FastBridge on each backend: each case runs on all three.</summary>
    public static TheoryData<string> EverySwitch => [SwitchKind.LinuxBridge, SwitchKind.FastBridge, SwitchKind.FastBridgeAfXdp, SwitchKind.FastBridgeFastPath];

    /// <summary>As EverySwitch, and FastBridge with two poll loops, for the cases where flows spread over loops.</summary>
    public static TheoryData<string> EverySwitchAndTwoLoops =>
        [SwitchKind.LinuxBridge, SwitchKind.FastBridge, SwitchKind.FastBridgeAfXdp, SwitchKind.FastBridgeTwoWorkers, SwitchKind.FastBridgeFastPath];

    [Theory]
    [MemberData(nameof(EverySwitchAndTwoLoops))]
    public void Ping_FromNet1_ReachesNet2AndNet3(string kind)
    {
        string ping = Tools.Ping;
        using SwitchLab lab = SwitchLab.Start(kind, hosts: 3, captures: false);
        foreach (int target in (int[])[2, 3])
        {
            ProcessResult result = ChildProcess.Run(Tools.Ip,
                ["netns", "exec", lab[1].Namespace, ping, "-c", "3", "-W", "2", "-i", "0.2", lab[target].Address],
                TimeSpan.FromSeconds(20));
            if (result.ExitCode != 0)
            {
                lab.Fail($"h1 could not ping h{target} ({lab[target].Address}):\n{result}");
            }
        }

        lab.Finish();
    }

    [Theory]
    [MemberData(nameof(EverySwitch))]
    public void UnknownUnicast_FromH1_FloodsToAllOthersOnly(string kind)
    {
        using SwitchLab lab = SwitchLab.Start(kind, hosts: 4);
        lab.Deliver(1, "unknown-unicast", marker => TestFrames.Experimental(UnknownMac, SwitchLab.HostMac(1), marker), 2, 3, 4);
        lab.Finish();
    }

    [Theory]
    [MemberData(nameof(EverySwitchAndTwoLoops))]
    public void LearnedUnicast_AfterDestinationSent_ReachesOnlyDestination(string kind)
    {
        using SwitchLab lab = SwitchLab.Start(kind, hosts: 4);
        Learn(lab, 2);
        lab.Deliver(1, "to-h2", marker => TestFrames.Experimental(SwitchLab.HostMac(2), SwitchLab.HostMac(1), marker), 2);
        lab.Finish();
    }

    [Theory]
    [MemberData(nameof(EverySwitch))]
    public void Broadcast_FromH1_FloodsToAllOthersOnly(string kind)
    {
        using SwitchLab lab = SwitchLab.Start(kind, hosts: 4);
        Learn(lab, 1); // a learned source must not stop a broadcast going everywhere else
        lab.Deliver(1, "broadcast", marker => TestFrames.Experimental(MacAddress.Broadcast, SwitchLab.HostMac(1), marker), 2, 3, 4);
        lab.Finish();
    }

    [Theory]
    [MemberData(nameof(EverySwitch))]
    public void MulticastSource_IsDropped(string kind)
    {
        using SwitchLab lab = SwitchLab.Start(kind, hosts: 4);
        lab.Deliver(1, "multicast-source", marker => TestFrames.Experimental(MacAddress.Broadcast, MulticastSourceMac, marker));
        lab.Finish();
    }

    [Theory]
    [MemberData(nameof(EverySwitch))]
    public void LinkLocal_LacpAndLldpNotForwarded_StpBpduFlooded(string kind)
    {
        using SwitchLab lab = SwitchLab.Start(kind, hosts: 4);
        lab.Deliver(1, "lacp", marker => TestFrames.Lacp(SwitchLab.HostMac(1), marker));
        lab.Deliver(1, "lldp", marker => TestFrames.Lldp(SwitchLab.HostMac(1), marker));
        // With STP off (stp_state 0) the Linux bridge forwards BPDUs like any group frame.
        lab.Deliver(1, "stp", marker => TestFrames.StpBpdu(SwitchLab.HostMac(1), marker), 2, 3, 4);
        lab.Finish();
    }

    [Theory]
    [MemberData(nameof(EverySwitch))]
    public void StationMove_MacSendsFromNewPort_UnicastFollowsIt(string kind)
    {
        using SwitchLab lab = SwitchLab.Start(kind, hosts: 4);
        ulong moving = SwitchLab.HostMac(3);
        lab.Deliver(3, "mac3-at-h3", marker => TestFrames.Experimental(MacAddress.Broadcast, moving, marker), 1, 2, 4);
        lab.Deliver(1, "to-mac3-before-move", marker => TestFrames.Experimental(moving, SwitchLab.HostMac(1), marker), 3);

        lab.Deliver(4, "mac3-at-h4", marker => TestFrames.Experimental(MacAddress.Broadcast, moving, marker), 1, 2, 3);
        lab.Deliver(1, "to-mac3-after-move", marker => TestFrames.Experimental(moving, SwitchLab.HostMac(1), marker), 4);
        lab.Finish();
    }

    [Theory]
    [MemberData(nameof(EverySwitch))]
    public void Ageing_TwoSecondsOfAgeing_SilentEntryFloodsAgain(string kind)
    {
        const int AgeingSeconds = 2;
        // Twice the ageing time: the Linux bridge expires within a jiffy of the deadline, a sweeping
        // ager may take up to one more ageing period.
        TimeSpan silence = TimeSpan.FromSeconds(2 * AgeingSeconds);
        using SwitchLab lab = SwitchLab.Start(kind, hosts: 4, ageingSeconds: AgeingSeconds);
        Learn(lab, 2);
        lab.Deliver(1, "to-h2-learned", marker => TestFrames.Experimental(SwitchLab.HostMac(2), SwitchLab.HostMac(1), marker), 2);

        Thread.Sleep(silence);
        lab.Deliver(1, "to-h2-aged", marker => TestFrames.Experimental(SwitchLab.HostMac(2), SwitchLab.HostMac(1), marker), 2, 3, 4);
        lab.Finish();
    }

    [Theory]
    [MemberData(nameof(EverySwitch))]
    public void MaxSizeFrame_1514Bytes_CrossesByteIdentical(string kind)
    {
        using SwitchLab lab = SwitchLab.Start(kind, hosts: 4);
        Learn(lab, 2);
        lab.Deliver(1, "1514-unicast", marker => TestFrames.Experimental(SwitchLab.HostMac(2), SwitchLab.HostMac(1), marker, TestFrames.MaxUntaggedFrame, seed: 1514), 2);
        lab.Deliver(1, "1514-broadcast", marker => TestFrames.Experimental(MacAddress.Broadcast, SwitchLab.HostMac(1), marker, TestFrames.MaxUntaggedFrame, seed: 1515), 2, 3, 4);
        lab.Finish();
    }

    [Theory]
    [MemberData(nameof(EverySwitch))]
    public void JumboFrames_9000MtuPorts_CrossByteIdenticalAndNeverReachA1500MtuPort(string kind)
    {
        const int JumboUntagged = 9000 + 14;
        using SwitchLab lab = SwitchLab.Start(kind, hosts: 3, mtus: [9000, 9000, 1500]);
        Learn(lab, 2);
        ulong h1 = SwitchLab.HostMac(1), h2 = SwitchLab.HostMac(2);
        // Around one and two 4 KiB frames (AF_XDP's buffers), and the longest a 9000 MTU carries.
        foreach (int length in (int[])[1514, 3840, 3841, 4097, 7000, 8193, JumboUntagged])
        {
            lab.Deliver(1, string.Create(CultureInfo.InvariantCulture, $"jumbo-{length}"), marker => TestFrames.Experimental(h2, h1, marker, length, seed: length), 2);
        }
        lab.Deliver(1, "jumbo-8021q", marker => TestFrames.Tagged(TestFrames.Experimental(h2, h1, marker, JumboUntagged, seed: 9018), TestFrames.CustomerTpid, tci: 0x0064), 2);
        // Flooded: h2 takes it, h3's 1500 MTU does not (dropped and counted too_big on FastBridge).
        lab.Deliver(1, "jumbo-broadcast", marker => TestFrames.Experimental(MacAddress.Broadcast, h1, marker, JumboUntagged, seed: 9014), 2);
        lab.Deliver(1, "1514-broadcast", marker => TestFrames.Experimental(MacAddress.Broadcast, h1, marker, TestFrames.MaxUntaggedFrame, seed: 1514), 2, 3);
        lab.Finish();
    }

    [Theory]
    [MemberData(nameof(EverySwitch))]
    public void VlanTagged_8021QAnd8021ad_CrossByteIdentical(string kind)
    {
        using SwitchLab lab = SwitchLab.Start(kind, hosts: 4);
        ulong h1 = SwitchLab.HostMac(1);

        byte[] ctag = lab.NextMarker("8021q");
        byte[] ctagged = TestFrames.Tagged(TestFrames.Experimental(MacAddress.Broadcast, h1, ctag, 128, seed: 8100),
            TestFrames.CustomerTpid, tci: 0x6064); // PCP 3, VID 100
        lab.Deliver(1, ctagged, ctag, 2, 3, 4);

        // 802.1ad: S-tag VID 200 outside a C-tag VID 100 (QinQ), 128 + 8 bytes.
        byte[] stag = lab.NextMarker("8021ad");
        byte[] stagged = TestFrames.Tagged(
            TestFrames.Tagged(TestFrames.Experimental(MacAddress.Broadcast, h1, stag, 128, seed: 88), TestFrames.CustomerTpid, tci: 0x0064),
            TestFrames.ServiceTpid, tci: 0xA0C8); // PCP 5, VID 200
        lab.Deliver(1, stagged, stag, 2, 3, 4);
        lab.Finish();
    }

    [Theory]
    [MemberData(nameof(EverySwitchAndTwoLoops))]
    public void ThousandFrames_RandomPayloads_ArriveIntactAndInOrder(string kind)
    {
        const int Count = 1000;
        // 1000 frames in roughly 0.3-0.5 s: paced so no receive buffer on the way can overflow, which
        // would test buffer sizes rather than forwarding.
        const int PaceMicroseconds = 200;
        using SwitchLab lab = SwitchLab.Start(kind, hosts: 4);
        Learn(lab, 2);
        byte[] marker = lab.NextMarker("burst");
        var random = new Random(1000);
        var frames = new List<byte[]>(Count);
        for (int seq = 0; seq < Count; seq++)
        {
            byte[] numbered = [.. marker, .. TestFrames.Marker($"#{seq:D4}#")];
            frames.Add(TestFrames.Experimental(SwitchLab.HostMac(2), SwitchLab.HostMac(1), numbered,
                random.Next(TestFrames.MinFrame, TestFrames.MaxUntaggedFrame + 1), seed: random.Next()));
        }

        RawFrames.SendMany(lab[1], frames, PaceMicroseconds);
        lab.Capture(2).WaitForCount(marker, Count, TimeSpan.FromSeconds(10));
        List<byte[]> got = lab.Capture(2).FramesWith(marker);
        if (got.Count != Count)
        {
            lab.Fail($"h2 received {got.Count} of {Count} frames");
        }

        for (int seq = 0; seq < Count; seq++)
        {
            if (!got[seq].AsSpan().SequenceEqual(frames[seq]))
            {
                lab.Fail($"frame {seq} at h2 is not frame {seq} as sent (reordered or altered):\n  sent {TestFrames.Hex(frames[seq])}\n  got  {TestFrames.Hex(got[seq])}");
            }
        }

        // The flood check runs after the burst so any copies that went astray have had time to land.
        lab.Deliver(1, "after-burst", afterBurst => TestFrames.Experimental(SwitchLab.HostMac(2), SwitchLab.HostMac(1), afterBurst), 2);
        foreach (int other in (int[])[3, 4])
        {
            int strays = lab.Capture(other).FramesWith(marker).Count;
            if (strays > 0)
            {
                lab.Fail($"h{other} received {strays} of the unicast burst meant for h2");
            }
        }

        lab.Finish();
    }

    [Theory]
    [MemberData(nameof(EverySwitchAndTwoLoops))]
    public void Iperf3Tcp_ThreeSeconds_CompletesAboveFiftyMegabits(string kind)
    {
        const double MinBitsPerSecond = 50e6;
        string iperf3 = Tools.Iperf3;
        using SwitchLab lab = SwitchLab.Start(kind, hosts: 2, captures: false);
        using var server = new ChildProcess(Tools.Ip,
            ["netns", "exec", lab[2].Namespace, iperf3, "-s", "-1", "--forceflush", "-B", lab[2].Address]);
        if (!server.WaitForLine("listening", TimeSpan.FromSeconds(10)))
        {
            lab.Fail($"iperf3 server in h2 did not start listening\n{server.Output()}");
        }

        ProcessResult client = ChildProcess.Run(Tools.Ip,
            ["netns", "exec", lab[1].Namespace, iperf3, "-c", lab[2].Address, "-t", "3", "-J", "--connect-timeout", "3000"],
            TimeSpan.FromSeconds(30));
        using JsonDocument report = ParseIperf(lab, client);
        if (report.RootElement.TryGetProperty("error", out JsonElement error))
        {
            lab.Fail($"iperf3 reported an error: {error}\n{client}");
        }

        if (client.ExitCode != 0)
        {
            lab.Fail($"iperf3 client failed\n{client}");
        }

        double bitsPerSecond = report.RootElement.GetProperty("end").GetProperty("sum_received").GetProperty("bits_per_second").GetDouble();
        if (bitsPerSecond < MinBitsPerSecond)
        {
            lab.Fail($"iperf3 TCP h1 -> h2 moved {bitsPerSecond / 1e6:F1} Mbit/s, below the {MinBitsPerSecond / 1e6:F0} Mbit/s floor");
        }

        lab.Finish();
    }

    /// <summary>Host <paramref name="host"/> broadcasts once so the switch learns its MAC on its port.</summary>
    private static void Learn(SwitchLab lab, int host)
    {
        byte[] marker = lab.NextMarker(string.Create(CultureInfo.InvariantCulture, $"learn-h{host}"));
        int[] others = [.. Enumerable.Range(1, lab.Hosts.Count).Where(h => h != host)];
        lab.Deliver(host, TestFrames.Experimental(MacAddress.Broadcast, SwitchLab.HostMac(host), marker), marker, others);
    }

    private static JsonDocument ParseIperf(SwitchLab lab, ProcessResult client)
    {
        try
        {
            return JsonDocument.Parse(client.Stdout);
        }
        catch (JsonException)
        {
            lab.Fail($"iperf3 client did not print a JSON report\n{client}");
            throw;
        }
    }
}
