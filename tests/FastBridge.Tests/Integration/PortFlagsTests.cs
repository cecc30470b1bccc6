// The per-port flags (`bridge link set dev X FLAG on|off`), each case run against the Linux bridge (the
// reference) and FastBridge on both backends: the same frames, the same hosts receiving them. Hosts are
// 1-based (h1..h4); every test builds and removes its own lab.
using FastBridge.Datapath.Frames;

namespace FastBridge.Tests.Integration;

[Collection(IntegrationCollection.Name)]
public sealed class PortFlagsTests
{
    private const ulong UnknownMac = ForwardingTests.UnknownMac;

    /// <summary>A multicast group outside IP's, so the Linux bridge's multicast snooping leaves it to br_flood.</summary>
    private const ulong GroupMac = 0x0300_0000_0001UL;

    public static TheoryData<string> EverySwitch => ForwardingTests.EverySwitch;

    [Theory]
    [MemberData(nameof(EverySwitch))]
    public void LearningOff_SourceNeverLearned_TrafficToItStillFloods(string kind)
    {
        using SwitchLab lab = Start(kind, hosts: 3);
        Set(lab, 1, "learning", false);
        Send(lab, 1, MacAddress.Broadcast, "learn-h1", 2, 3);
        Send(lab, 2, SwitchLab.HostMac(1), "to-unlearned-h1", 1, 3);
        lab.Finish();
    }

    [Theory]
    [MemberData(nameof(EverySwitch))]
    public void FloodOff_UnknownUnicastSkipsThePort_GroupsStillReachIt(string kind)
    {
        using SwitchLab lab = Start(kind, hosts: 4);
        Set(lab, 3, "flood", false);
        Send(lab, 1, UnknownMac, "unknown-unicast", 2, 4);
        Send(lab, 1, GroupMac, "multicast", 2, 3, 4);
        Send(lab, 1, MacAddress.Broadcast, "broadcast", 2, 3, 4);
        lab.Finish();
    }

    [Theory]
    [MemberData(nameof(EverySwitch))]
    public void McastFloodOff_MulticastAndForwardedBpduSkipThePort_OthersStillReachIt(string kind)
    {
        using SwitchLab lab = Start(kind, hosts: 4);
        Set(lab, 3, "mcast_flood", false);
        Send(lab, 1, GroupMac, "multicast", 2, 4);
        lab.Deliver(1, "bpdu", marker => TestFrames.StpBpdu(SwitchLab.HostMac(1), marker), 2, 4);
        Send(lab, 1, UnknownMac, "unknown-unicast", 2, 3, 4);
        Send(lab, 1, MacAddress.Broadcast, "broadcast", 2, 3, 4);
        lab.Finish();
    }

    [Theory]
    [MemberData(nameof(EverySwitch))]
    public void BcastFloodOff_BroadcastSkipsThePort_OthersStillReachIt(string kind)
    {
        using SwitchLab lab = Start(kind, hosts: 4);
        Set(lab, 3, "bcast_flood", false);
        lab.SentinelReaches = (_, to) => to != 3;
        Send(lab, 1, MacAddress.Broadcast, "broadcast", 2, 4);
        Send(lab, 1, GroupMac, "multicast", 2, 3, 4);
        Send(lab, 1, UnknownMac, "unknown-unicast", 2, 3, 4);
        lab.Finish();
    }

    [Theory]
    [MemberData(nameof(EverySwitch))]
    public void Isolated_TwoIsolatedPortsNeverTalk_EachStillTalksToTheOthers(string kind)
    {
        using SwitchLab lab = Start(kind, hosts: 4);
        Set(lab, 1, "isolated", true);
        Set(lab, 2, "isolated", true);
        lab.SentinelReaches = (from, to) => !(from <= 2 && to <= 2);
        Send(lab, 1, MacAddress.Broadcast, "learn-h1", 3, 4);
        Send(lab, 2, MacAddress.Broadcast, "learn-h2", 3, 4);
        Send(lab, 1, SwitchLab.HostMac(2), "known-isolated-to-isolated", []);
        Send(lab, 1, UnknownMac, "unknown-unicast", 3, 4);
        Send(lab, 3, SwitchLab.HostMac(2), "open-to-isolated", 2);
        Send(lab, 2, SwitchLab.HostMac(3), "isolated-to-open", 3);
        lab.Finish();
    }

    [Theory]
    [MemberData(nameof(EverySwitch))]
    public void Hairpin_FloodsAndKnownUnicastMayLeaveByTheIngressPort(string kind)
    {
        using SwitchLab lab = Start(kind, hosts: 3);
        Set(lab, 1, "hairpin", true);
        Send(lab, 1, UnknownMac, "unknown-unicast", 1, 2, 3);
        Send(lab, 1, MacAddress.Broadcast, "broadcast", 1, 2, 3);
        Send(lab, 2, SwitchLab.HostMac(1), "to-h1", 1);
        lab.Finish();
    }

    /// <summary>A lab whose FastBridge takes CLI commands (an API socket of its own).</summary>
    private static SwitchLab Start(string kind, int hosts) => SwitchLab.Start(kind, hosts, fastBridgeArgs: FastBridgeSwitch.ApiArgs());

    private static void Set(SwitchLab lab, int host, string flag, bool on) => lab.Switch.SetPortFlag(lab[host].PortInterface, flag, on);

    private static void Send(SwitchLab lab, int from, ulong destination, string what, params int[] expected) =>
        lab.Deliver(from, what, marker => TestFrames.Experimental(destination, SwitchLab.HostMac(from), marker), expected);
}
