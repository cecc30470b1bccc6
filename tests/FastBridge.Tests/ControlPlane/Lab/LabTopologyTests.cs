// LabTopology on the real kernel: it builds what it promises, removes all of it (twice is fine),
// and a failed build leaves nothing behind. Unique names per run; the classic net1..net3 names are
// never touched here, so a `fastbridge lab` someone left up survives the suite.
using FastBridge.ControlPlane.Lab;
using FastBridge.Datapath.Frames;
using FastBridge.Tests.Integration;

namespace FastBridge.Tests.ControlPlane.Lab;

[Collection(IntegrationCollection.Name)]
public sealed class LabTopologyTests
{
    [Fact]
    public void Create_TwoHosts_BuildsNamespacesLinksAndAddresses_DisposeRemovesAllTwice()
    {
        IReadOnlyList<LabHost> specs = SwitchLab.HostSpecs(SwitchLab.NewRunId(), 2);
        var prepared = new List<string>();
        LabTopology lab = LabTopology.Create(specs, host => prepared.Add(host.Namespace));
        try
        {
            Assert.Equal(specs.Select(h => h.Namespace), prepared);
            foreach (LabHost host in lab.Hosts)
            {
                Assert.True(LabTopology.NamespaceExists(host.Namespace), host.Namespace);
                Assert.True(LabTopology.LinkExists(host.PortInterface), host.PortInterface);
                Assert.Equal("1", File.ReadAllText($"/proc/sys/net/ipv6/conf/{host.PortInterface}/disable_ipv6").Trim());
                string shown = ChildProcess.RunChecked(Tools.Ip,
                    ["-n", host.Namespace, "-br", "addr", "show", "dev", host.HostInterface], TimeSpan.FromSeconds(5)).Stdout;
                Assert.Contains($"{host.Address}/24", shown, StringComparison.Ordinal);
                Assert.DoesNotContain("fe80", shown, StringComparison.Ordinal);
                string link = ChildProcess.RunChecked(Tools.Ip,
                    ["-n", host.Namespace, "-br", "link", "show", "dev", host.HostInterface], TimeSpan.FromSeconds(5)).Stdout;
                Assert.Contains(MacAddress.Format(host.Mac), link, StringComparison.OrdinalIgnoreCase);
                Assert.Contains("UP", link, StringComparison.Ordinal);
            }
        }
        finally
        {
            lab.Dispose();
        }

        lab.Dispose();
        AssertGone(specs);
    }

    [Fact]
    public void Create_SecondHostFails_ThrowsWithCommandAndRemovesFirstHost()
    {
        IReadOnlyList<LabHost> specs = SwitchLab.HostSpecs(SwitchLab.NewRunId(), 2);
        // The root namespace's loopback already exists, so creating a veth named lo must fail.
        LabHost[] broken = [specs[0], specs[1] with { PortInterface = "lo" }];
        var error = Assert.Throws<InvalidOperationException>(() => LabTopology.Create(broken));
        Assert.Contains("ip link add lo", error.Message, StringComparison.Ordinal);
        Assert.True(LabTopology.LinkExists("lo"), "the failed build must not have touched lo");
        AssertGone(specs);
    }

    private static void AssertGone(IReadOnlyList<LabHost> specs)
    {
        foreach (LabHost host in specs)
        {
            Assert.False(LabTopology.NamespaceExists(host.Namespace), $"{host.Namespace} is left over");
            Assert.False(LabTopology.LinkExists(host.PortInterface), $"{host.PortInterface} is left over");
        }
    }
}
