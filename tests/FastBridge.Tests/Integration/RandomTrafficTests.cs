// Live fuzzing: a hundred thousand random frames (RandomFrames: lengths 14 to MTU + 64, random MACs
// and EtherTypes, stacked 802.1Q/802.1ad tags) from h1 into the switch, sent by the e2e bench's
// generator (an AF_PACKET TX ring); afterwards every pair of hosts must still ping without loss. h1's
// veth pair has its MTU raised on both ends so the frames longer than the others' MTU allows reach the
// switch and are dropped there as too big. The seed is random per run and named in any failure.
using System.Globalization;
using FastBridge.ControlPlane.Lab;

namespace FastBridge.Tests.Integration;

[Collection(IntegrationCollection.Name)]
public sealed class RandomTrafficTests
{
    private const int FrameCount = 100_000;
    private const int Mtu = 1500;

    /// <summary>Enough for MTU + 64 bytes with two tags of headroom.</summary>
    private const int SenderMtu = Mtu + 100;

    /// <summary>Paced so the test measures what the frames do to the switch, not whether its rings keep up (2 s).</summary>
    private const double FramesPerSecond = 50_000;

    [Theory]
    [InlineData(SwitchKind.LinuxBridge)]
    [InlineData(SwitchKind.FastBridgeAfXdp)]
    [InlineData(SwitchKind.FastBridge)]
    public void RandomFrames_HundredThousandFromH1_EveryPairStillPingsWithoutLoss(string kind)
    {
        int seed = Random.Shared.Next();
        // A FastBridge failure names its counters (`fastbridge stats`): drops by reason show where frames went.
        using SwitchLab lab = SwitchLab.Start(kind, hosts: 3, captures: false, prepareHost: RaiseH1Mtu,
            fastBridgeArgs: kind == SwitchKind.LinuxBridge ? [] : FastBridgeSwitch.ApiArgs());
        AssertEveryPairPings(lab, seed, "before the random frames");

        // Stations behind h1 only, none of them a lab host: random frames never move a host's MAC.
        ulong[] stations = [.. Enumerable.Range(1, 8).Select(i => 0x02FB_7E57_F000UL | (uint)i)];
        var random = new RandomFrames(seed, stations, homes: 1, minLength: 14, maxLength: Mtu + 64, Mtu, stripTags: false);
        using FramePlan plan = FramePlan.Build(FrameCount, random.MaxLength, (_, frame) => random.Next(frame, 0, out ushort _, out ushort _));
        SendResult sent = Generator.Send(lab[1].Namespace, lab[1].HostInterface, cpu: -1, plan, FramesPerSecond, seconds: 30, count: FrameCount);
        if (sent.Sent != FrameCount)
        {
            lab.Fail($"seed {seed}: the generator sent {sent.Sent} of {FrameCount} frames in {sent.Seconds:F1} s");
        }

        AssertEveryPairPings(lab, seed, $"after {FrameCount} random frames from h1 in {sent.Seconds:F1} s");
        lab.Finish();
    }

    private static void AssertEveryPairPings(SwitchLab lab, int seed, string when)
    {
        for (int from = 1; from <= lab.Hosts.Count; from++)
        {
            for (int to = from + 1; to <= lab.Hosts.Count; to++)
            {
                (ProcessResult result, int sent, int received) = lab.Ping(from, to, count: 3);
                if (sent == 0 || received != sent)
                {
                    lab.Fail($"seed {seed}: {when}, h{from} -> h{to} ({lab[to].Address}) lost {sent - received} of {sent} pings:\n{result}");
                }
            }
        }
    }

    private static void RaiseH1Mtu(LabHost host)
    {
        if (host.Mac != SwitchLab.HostMac(1))
        {
            return;
        }
        string mtu = SenderMtu.ToString(CultureInfo.InvariantCulture);
        ChildProcess.RunChecked(Tools.Ip, ["-n", host.Namespace, "link", "set", "dev", host.HostInterface, "mtu", mtu], TimeSpan.FromSeconds(10));
        ChildProcess.RunChecked(Tools.Ip, ["link", "set", "dev", host.PortInterface, "mtu", mtu], TimeSpan.FromSeconds(10));
    }
}
