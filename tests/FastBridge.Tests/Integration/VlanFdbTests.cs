// The FDB of a VLAN-aware switch (issue 13), keyed by (VLAN, MAC): one MAC learned in two VLANs on two ports is two
// entries, and a station move, a delete, a flush or ageing in one VLAN leaves the other's entry where it was. Learning
// and moves run against Open vSwitch as the reference. OVS has no counterpart for the rest (fdb/flush takes the whole
// bridge, fdb/del only static entries, mac-aging-time is 15 s at least), so `fdb show`, del, flush and ageing per VLAN
// run on FastBridge alone against the Linux bridge's documented semantics (bridge(8): fdb show prints "vlan N"; fdb
// del MAC vlan N removes that VLAN's entry; fdb flush [dev IF] [vlan N] removes the dynamic entries matching both). Hosts: h1 and h2 access ports of
// VLAN 10, h3 and h5 of VLAN 20, h4 a trunk of both; a frame the switch floods within VLAN 20 reaches h5 as well,
// one it forwards as known unicast does not.
using System.Globalization;
using System.Text.Json;
using FastBridge.Datapath.Frames;

namespace FastBridge.Tests.Integration;

[Collection(IntegrationCollection.Name)]
public sealed class VlanFdbTests
{
    private const ushort Q = VlanTag.CustomerTpid;
    private const int Trunk = 4;

    /// <summary>The MAC the hosts of both VLANs send from.</summary>
    private const ulong SharedMac = 0x02FB_7E57_5A5FUL;

    private static readonly Dictionary<ushort, int[]> s_members = new() { [10] = [1, 2, 4], [20] = [3, 4, 5] };

    public static TheoryData<string> FastBridgeOnEachBackend => [SwitchKind.FastBridge, SwitchKind.FastBridgeAfXdp];

    [Theory]
    [MemberData(nameof(VlanForwardingTests.EverySwitch), MemberType = typeof(VlanForwardingTests))]
    public void SameMacInTwoVlans_MovesInOne_StaysInTheOther(string kind)
    {
        using SwitchLab lab = Start(kind);
        Announce(lab, 1);
        Announce(lab, 3);
        ToShared(lab, 10, 1);
        ToShared(lab, 20, 3);

        // The MAC moves to h2 in VLAN 10; in VLAN 20 it stays on h3.
        Announce(lab, 2);
        ToShared(lab, 10, 2);
        ToShared(lab, 20, 3);

        // And to h5 in VLAN 20; in VLAN 10 it stays on h2.
        Announce(lab, 5);
        ToShared(lab, 20, 5);
        ToShared(lab, 10, 2);
        lab.Finish();
    }

    [Theory]
    [MemberData(nameof(FastBridgeOnEachBackend))]
    public void FdbShowDelAndFlush_PerVlan_AsTheLinuxBridge(string kind)
    {
        using SwitchLab lab = Start(kind);
        var fastBridge = (FastBridgeSwitch)lab.Switch;
        Announce(lab, 1);
        Announce(lab, 3);
        string shared = MacAddress.Format(SharedMac);
        string shown = fastBridge.CliChecked("fdb", "show");
        Assert.Contains($"{shared} dev {lab[1].PortInterface} vlan 10 dynamic age", shown);
        Assert.Contains($"{shared} dev {lab[3].PortInterface} vlan 20 dynamic age", shown);
        Assert.DoesNotContain(" vlan 20", fastBridge.CliChecked("fdb", "show", "vlan", "10"), StringComparison.Ordinal);

        // fdb del MAC vlan 10: VLAN 10's entry goes (its frames flood, to VLAN 10's members only); VLAN 20's stays.
        fastBridge.CliChecked("fdb", "del", shared, "vlan", "10");
        Assert.DoesNotContain(Entries(fastBridge), e => e.Mac == SharedMac && e.Vlan == 10);
        Assert.Contains(Entries(fastBridge), e => e.Mac == SharedMac && e.Vlan == 20);
        ToShared(lab, 10, 1, 2);
        ToShared(lab, 20, 3);
        Announce(lab, 1);

        // fdb flush --vlan 10: VLAN 10 empties and floods again, within its members; VLAN 20 keeps its entries.
        int in20 = Entries(fastBridge).Count(e => e.Vlan == 20);
        Assert.StartsWith("flushed ", fastBridge.CliChecked("fdb", "flush", "--vlan", "10"));
        Assert.DoesNotContain(Entries(fastBridge), e => e.Vlan == 10);
        Assert.Equal(in20, Entries(fastBridge).Count(e => e.Vlan == 20));
        ToShared(lab, 10, 1, 2);
        ToShared(lab, 20, 3);

        // fdb flush --port IF --vlan N: the trunk's entries in VLAN 20 go, its entries in VLAN 10 and h3's in 20 stay.
        string trunk = lab[Trunk].PortInterface;
        Announce(lab, 1);
        Assert.Contains(Entries(fastBridge), e => e.Port == trunk && e.Vlan == 20);
        fastBridge.CliChecked("fdb", "flush", "--port", trunk, "--vlan", "20");
        Assert.DoesNotContain(Entries(fastBridge), e => e.Port == trunk && e.Vlan == 20);
        Assert.Contains(Entries(fastBridge), e => e.Port == trunk && e.Vlan == 10);
        Assert.Contains(Entries(fastBridge), e => e.Mac == SharedMac && e.Vlan == 20);
        ToShared(lab, 10, 1);
        ToShared(lab, 20, 3);

        // bridge's own words, dev IF vlan N: h1's port in VLAN 10 only.
        fastBridge.CliChecked("fdb", "flush", "dev", lab[1].PortInterface, "vlan", "10");
        Assert.DoesNotContain(Entries(fastBridge), e => e.Port == lab[1].PortInterface);
        ToShared(lab, 10, 1, 2);
        ToShared(lab, 20, 3);
        lab.Finish();
    }

    [Theory]
    [MemberData(nameof(FastBridgeOnEachBackend))]
    public void Ageing_SilentInOneVlan_AgesWhileTheSameMacTalksInTheOther(string kind)
    {
        // Each step here (a frame sent by a new process, its sentinel awaited) takes up to 1.5 s on the loaded 2-core
        // test VM, so the ageing time leaves room for two steps between the MAC's last frame in VLAN 20 and the check.
        const int AgeingSeconds = 4;
        using SwitchLab lab = Start(kind, AgeingSeconds);
        var fastBridge = (FastBridgeSwitch)lab.Switch;
        Announce(lab, 1);
        Announce(lab, 3);

        // Twice the ageing time (a sweeping ager may take one more period), the MAC talking in VLAN 20 all along.
        DateTime silentUntil = DateTime.UtcNow.AddSeconds(2 * AgeingSeconds);
        while (DateTime.UtcNow < silentUntil)
        {
            Announce(lab, 3);
            Thread.Sleep(300);
        }

        Announce(lab, 3);
        List<(ulong Mac, string Port, int Vlan)> entries = Entries(fastBridge);
        Assert.DoesNotContain(entries, e => e.Mac == SharedMac && e.Vlan == 10);
        Assert.Contains(entries, e => e.Mac == SharedMac && e.Vlan == 20 && e.Port == lab[3].PortInterface);
        ToShared(lab, 20, 3);
        ToShared(lab, 10, 1, 2);
        lab.Finish();
    }

    private static SwitchLab Start(string kind, int ageingSeconds = SwitchLab.DefaultAgeingSeconds) =>
        SwitchLab.StartVlanAware(kind,
            [PortVlanSpec.Access(10), PortVlanSpec.Access(10), PortVlanSpec.Access(20), PortVlanSpec.Trunk(10, 20), PortVlanSpec.Access(20)],
            ageingSeconds);

    /// <summary>A broadcast from SharedMac on access host <paramref name="host"/>: learned there in its VLAN, flooded to that VLAN's other members.</summary>
    private static void Announce(SwitchLab lab, int host)
    {
        ushort vlan = s_members[10].Contains(host) ? (ushort)10 : (ushort)20;
        int[] others = [.. s_members[vlan].Where(h => h != host)];
        byte[] marker = lab.NextMarker(string.Create(CultureInfo.InvariantCulture, $"shared-from-h{host}"));
        byte[] frame = TestFrames.Experimental(MacAddress.Broadcast, SharedMac, marker);
        lab.Deliver(host, frame, marker, others.ToDictionary(h => h, h => h == Trunk ? TestFrames.Tagged(frame, Q, vlan) : frame), sentinelHosts: others);
        lab.Switch.AwaitLearning(); // one suite run saw OVS send the next frame to the station's old port
    }

    /// <summary>A frame to SharedMac from the trunk, tagged <paramref name="vlan"/>: it must reach exactly <paramref name="expected"/>, untagged.</summary>
    private static void ToShared(SwitchLab lab, ushort vlan, params int[] expected)
    {
        byte[] marker = lab.NextMarker(string.Create(CultureInfo.InvariantCulture, $"to-shared-v{vlan}"));
        byte[] frame = TestFrames.Experimental(SharedMac, SwitchLab.HostMac(Trunk), marker);
        lab.Deliver(Trunk, TestFrames.Tagged(frame, Q, vlan), marker, expected.ToDictionary(h => h, _ => frame),
            sentinel => TestFrames.Tagged(sentinel, Q, vlan), [.. s_members[vlan].Where(h => h != Trunk)]);
    }

    /// <summary>`fdb show -j`, as (MAC, port, VLAN).</summary>
    private static List<(ulong Mac, string Port, int Vlan)> Entries(FastBridgeSwitch fastBridge)
    {
        using JsonDocument shown = JsonDocument.Parse(fastBridge.CliChecked("fdb", "show", "-j"));
        return [.. shown.RootElement.EnumerateArray().Select(e =>
            (TestFrames.Mac(e.GetProperty("mac").GetString()!), e.GetProperty("ifname").GetString()!, e.GetProperty("vlan").GetInt32()))];
    }
}
