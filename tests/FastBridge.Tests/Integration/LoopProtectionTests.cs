// A real loop: two FastBridge ports joined by a veth pair, beside two hosts. One broadcast (h1's ARP
// for h2) then circles the pair for ever. With loop_action block on both loop ports, h1's MAC flaps
// between them, housekeeping blocks one within its next tick, the storm stops and h1 pings h2 again;
// without it the storm is documented (the loop ports' receive counters racing) and ended after a
// second by taking a loop port out. Each test builds and removes its own lab and veth pair.
using System.Text.Json;
using FastBridge.Datapath.Frames;

namespace FastBridge.Tests.Integration;

[Collection(IntegrationCollection.Name)]
public sealed class LoopProtectionTests
{
    [Fact]
    public void LoopActionBlock_BroadcastStormStopsWithinATick_KnownTrafficRecovers()
    {
        using SwitchLab lab = SwitchLab.Start(SwitchKind.FastBridge, hosts: 2, captures: false, fastBridgeArgs: FastBridgeSwitch.ApiArgs());
        var fastBridge = (FastBridgeSwitch)lab.Switch;
        (string a, string b) = (Name(lab, "la"), Name(lab, "lb"));
        try
        {
            AddLoop(fastBridge, a, b, "loop_action", "block");
            lab.Ping(1, 2, count: 1); // its ARP request starts the storm
            Thread.Sleep(2500); // the next housekeeping tick (once a second) sees the flap, under load with a margin

            long before = LoopRx(fastBridge, a, b);
            Thread.Sleep(1000);
            long during = LoopRx(fastBridge, a, b) - before;
            (ProcessResult ping, int sent, int received) = lab.Ping(1, 2, count: 5);
            string log = fastBridge.Daemon.Process.Stderr();
            string flapLine = log.Split('\n').FirstOrDefault(l => l.Contains(MacAddress.Format(SwitchLab.HostMac(1)), StringComparison.Ordinal)
                && l.Contains("moved", StringComparison.Ordinal)) ?? "";
            Console.WriteLine($"[loop, blocked] loop ports received {during} frames in the second after the block; h1 -> h2 {received}/{sent}; {flapLine}");
            if (during > 20 || received < sent - 1 || !flapLine.Contains("blocking", StringComparison.Ordinal))
            {
                lab.Fail($"storm after block: {during} frames/s; pings {received}/{sent}\n{ping}\n{log}");
            }
        }
        finally
        {
            VethLab.Ip("link", "del", a);
        }
        lab.Finish();
    }

    [Fact]
    public void NoLoopProtection_BroadcastStormRuns_EndedByRemovingALoopPort()
    {
        using SwitchLab lab = SwitchLab.Start(SwitchKind.FastBridge, hosts: 2, captures: false, fastBridgeArgs: FastBridgeSwitch.ApiArgs());
        var fastBridge = (FastBridgeSwitch)lab.Switch;
        (string a, string b) = (Name(lab, "la"), Name(lab, "lb"));
        long storm;
        try
        {
            AddLoop(fastBridge, a, b);
            lab.Ping(1, 2, count: 1);
            long before = LoopRx(fastBridge, a, b);
            Thread.Sleep(1000);
            storm = LoopRx(fastBridge, a, b) - before;
            fastBridge.Daemon.Cli("port", "del", a);
        }
        finally
        {
            VethLab.Ip("link", "del", a);
        }
        string log = fastBridge.Daemon.Process.Stderr();
        Console.WriteLine($"[loop, unprotected] loop ports received {storm} frames in one second of the storm");
        if (storm < 1000 || !log.Contains("reported only", StringComparison.Ordinal))
        {
            lab.Fail($"expected a storm of at least 1000 frames/s, and flaps reported only: {storm}\n{log}");
        }
        lab.Finish();
    }

    private static string Name(SwitchLab lab, string suffix) => $"fbt{lab.RunId}{suffix}";

    /// <summary>Joins two new ports by a veth pair (IPv6 off, so the kernel sends nothing of its own into the loop), each with the policy words given.</summary>
    private static void AddLoop(FastBridgeSwitch fastBridge, string a, string b, params string[] policy)
    {
        VethLab.Ip("link", "add", a, "type", "veth", "peer", "name", b);
        foreach (string end in (string[])[a, b])
        {
            File.WriteAllText($"/proc/sys/net/ipv6/conf/{end}/disable_ipv6", "1");
            VethLab.Ip("link", "set", end, "up");
            Checked(fastBridge.Daemon.Cli("port", "add", end));
            if (policy.Length > 0)
            {
                Checked(fastBridge.Daemon.Cli(["port", "set", end, .. policy]));
            }
        }
    }

    private static void Checked(ProcessResult result)
    {
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(result.ToString());
        }
    }

    /// <summary>Frames received on the two loop ports so far.</summary>
    private static long LoopRx(FastBridgeSwitch fastBridge, string a, string b)
    {
        using JsonDocument stats = fastBridge.Stats();
        return stats.RootElement.GetProperty("ports").EnumerateArray()
            .Where(p => p.GetProperty("name").GetString() is string name && (name == a || name == b))
            .Sum(p => p.GetProperty("rxPackets").GetInt64());
    }
}
