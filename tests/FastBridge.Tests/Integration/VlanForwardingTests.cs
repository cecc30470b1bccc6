// VLAN-aware forwarding (issue 13), each test run against Open vSwitch (the reference: this kernel has no
// bridge vlan_filtering) and FastBridge on AF_PACKET, AF_XDP and AF_XDP with the XDP fast path, every output
// frame compared byte for byte.
// Hosts h1 and h2 are access ports of VLAN 10, h3 an access port of VLAN 20, h4 a trunk of 10 and 20 (tagged).
using FastBridge.Datapath.Frames;
using FastBridge.Testing.Switches;

namespace FastBridge.Tests.Integration;

[Collection(IntegrationCollection.Name)]
public sealed class VlanForwardingTests
{
    private const ushort Q = VlanTag.CustomerTpid;

    /// <summary>A MAC two hosts in different VLANs both send from.</summary>
    private const ulong SharedMac = 0x02FB_7E57_5A5EUL;

    public static TheoryData<string> EverySwitch => [SwitchKind.OvsAfXdp, SwitchKind.FastBridge, SwitchKind.FastBridgeAfXdp, SwitchKind.FastBridgeFastPath];

    [Theory]
    [MemberData(nameof(EverySwitch))]
    public void AccessAndTrunk_FloodDomainsTaggingAndFiltering_AsTheReference(string kind)
    {
        using SwitchLab lab = Start(kind);
        int[] vlan10 = [2, 4];

        // Access to access and trunk in one VLAN: untagged to h2, tagged 10 to the trunk, nothing to VLAN 20.
        byte[] marker = lab.NextMarker("bcast-v10");
        byte[] broadcast = TestFrames.Experimental(MacAddress.Broadcast, SwitchLab.HostMac(1), marker);
        lab.Deliver(1, broadcast, marker, new Dictionary<int, byte[]> { [2] = broadcast, [4] = TestFrames.Tagged(broadcast, Q, 10) }, sentinelHosts: vlan10);

        // Trunk to access: tag 20 popped, flooded to VLAN 20's access port only.
        marker = lab.NextMarker("unknown-v20");
        byte[] unknown = TestFrames.Experimental(0x02FB_7E57_EE01UL, SwitchLab.HostMac(4), marker);
        lab.Deliver(4, TestFrames.Tagged(unknown, Q, 20), marker, new Dictionary<int, byte[]> { [3] = unknown }, Tag(20), [3]);

        // Ingress filtering: VLAN 30 on the trunk, VLAN 20 on an access port of 10.
        marker = lab.NextMarker("v30-on-trunk");
        lab.Deliver(4, TestFrames.Tagged(TestFrames.Experimental(MacAddress.Broadcast, SwitchLab.HostMac(4), marker), Q, 30), marker,
            new Dictionary<int, byte[]>(), Tag(20), [3]);
        marker = lab.NextMarker("v20-on-access");
        lab.Deliver(1, TestFrames.Tagged(TestFrames.Experimental(MacAddress.Broadcast, SwitchLab.HostMac(1), marker), Q, 20), marker,
            new Dictionary<int, byte[]>(), sentinelHosts: vlan10);

        // Priority-tagged on an access port: the PVID's frame; untagged on access, tagged 10 with its priority on the trunk.
        marker = lab.NextMarker("priority");
        byte[] plain = TestFrames.Experimental(MacAddress.Broadcast, SwitchLab.HostMac(1), marker);
        lab.Deliver(1, TestFrames.Tagged(plain, Q, 0x6000), marker,
            new Dictionary<int, byte[]> { [2] = plain, [4] = TestFrames.Tagged(plain, Q, 0x600A) }, sentinelHosts: vlan10);
        lab.Finish();
    }

    [Theory]
    [MemberData(nameof(EverySwitch))]
    public void SameMacInTwoVlans_LearnedApart_UnicastStaysInItsVlan_ThenAPortMovesVlanLive(string kind)
    {
        using SwitchLab lab = Start(kind);
        byte[] marker = lab.NextMarker("shared-in-10");
        byte[] from10 = TestFrames.Experimental(MacAddress.Broadcast, SharedMac, marker);
        lab.Deliver(1, from10, marker, new Dictionary<int, byte[]> { [2] = from10, [4] = TestFrames.Tagged(from10, Q, 10) }, sentinelHosts: [2, 4]);
        marker = lab.NextMarker("shared-in-20");
        byte[] from20 = TestFrames.Experimental(MacAddress.Broadcast, SharedMac, marker);
        lab.Deliver(3, from20, marker, new Dictionary<int, byte[]> { [4] = TestFrames.Tagged(from20, Q, 20) }, sentinelHosts: [4]);

        // The trunk reaches the MAC in each VLAN where it was learned there, and nowhere else.
        marker = lab.NextMarker("to-shared-20");
        byte[] to20 = TestFrames.Experimental(SharedMac, SwitchLab.HostMac(4), marker);
        lab.Deliver(4, TestFrames.Tagged(to20, Q, 20), marker, new Dictionary<int, byte[]> { [3] = to20 }, Tag(20), [3]);
        marker = lab.NextMarker("to-shared-10");
        byte[] to10 = TestFrames.Experimental(SharedMac, SwitchLab.HostMac(4), marker);
        lab.Deliver(4, TestFrames.Tagged(to10, Q, 10), marker, new Dictionary<int, byte[]> { [1] = to10 }, Tag(10), [1, 2]);

        // h3 moves to VLAN 10 while the switch runs: VLAN 10's broadcasts reach it from then on.
        lab.Switch.SetVlans(lab[3].PortInterface, PortVlanSpec.Access(10));
        marker = lab.NextMarker("bcast-after-move");
        byte[] broadcast = TestFrames.Experimental(MacAddress.Broadcast, SwitchLab.HostMac(1), marker);
        lab.Deliver(1, broadcast, marker, new Dictionary<int, byte[]> { [2] = broadcast, [3] = broadcast, [4] = TestFrames.Tagged(broadcast, Q, 10) });
        lab.Finish();
    }

    private static Func<byte[], byte[]> Tag(ushort vlan) => frame => TestFrames.Tagged(frame, Q, vlan);

    private static SwitchLab Start(string kind) =>
        SwitchLab.StartVlanAware(kind, [PortVlanSpec.Access(10), PortVlanSpec.Access(10), PortVlanSpec.Access(20), PortVlanSpec.Trunk(10, 20)]);
}
