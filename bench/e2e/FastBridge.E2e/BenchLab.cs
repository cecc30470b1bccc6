// The bench topology, built anew for every switch under test and removed after it, even on failure:
// three hosts — gen (the generator), sink (where offered traffic goes) and mon (a third port that
// only sees what the switch floods, for the RFC 2889 tests) — built by the lab's own LabTopology
// (namespace, veth pair to a root-side port …gp, …sp, …mp, fixed MAC, IPv6 off). For the `none`
// baseline gen and sink share one veth pair instead, between their two namespaces, and there are no
// ports. Commands run through the lab's IpCommand, which names the command and its stderr when one fails.
using System.Text.Json;
using FastBridge.ControlPlane.Lab;
using FastBridge.Datapath.Frames;
using FastBridge.Testing.Frames;
using FastBridge.Testing.Traffic;

namespace FastBridge.E2e;

internal sealed class BenchLab : IDisposable
{
    public const ulong GenMac = 0x02_00_00_00_00_01, SinkMac = 0x02_00_00_00_00_02, MonMac = 0x02_00_00_00_00_03;

    private readonly LabTopology _topology;

    private BenchLab(string prefix, LabTopology topology)
    {
        Prefix = prefix;
        _topology = topology;
    }

    /// <summary>Unique per run, short enough for 15-character interface names with a suffix.</summary>
    public string Prefix { get; }

    public string GenNs => Prefix + "gen";

    public string SinkNs => Prefix + "sink";

    public string MonNs => Prefix + "mon";

    /// <summary>The interface inside each host namespace.</summary>
    public string GenIf => Prefix + "g0";

    public string SinkIf => Prefix + "s0";

    public string MonIf => Prefix + "m0";

    /// <summary>The switch's ports, in the root namespace, in the order gen, sink, mon; empty for `none`.</summary>
    public IReadOnlyList<string> Ports => _topology.Hosts.Select(h => h.PortInterface).ToArray();

    /// <param name="hostGro">GRO on at every host end (BenchOptions.HostGro).</param>
    public static BenchLab Create(string prefix, bool direct, bool hostGro = false)
    {
        BenchLab lab = Create(prefix, direct);
        if (hostGro)
        {
            try
            {
                lab.TurnOnHostGro(direct);
            }
            catch
            {
                lab.Dispose();
                throw;
            }
        }
        return lab;
    }

    private void TurnOnHostGro(bool direct)
    {
        (string Ns, string If)[] ends = direct
            ? [(GenNs, GenIf), (SinkNs, SinkIf)]
            : [.. _topology.Hosts.Select(h => (h.Namespace, h.HostInterface))];
        foreach ((string ns, string ifName) in ends)
        {
            HostGro.Set(ns, ifName, on: true);
        }
    }

    private static BenchLab Create(string prefix, bool direct)
    {
        if (!direct)
        {
            // The addresses are never used (the bench's frames are not IP); LabTopology wants one per host.
            return new BenchLab(prefix, LabTopology.Create(
            [
                new LabHost(prefix + "gen", prefix + "g0", prefix + "gp", "10.98.0.1", GenMac),
                new LabHost(prefix + "sink", prefix + "s0", prefix + "sp", "10.98.0.2", SinkMac),
                new LabHost(prefix + "mon", prefix + "m0", prefix + "mp", "10.98.0.3", MonMac),
            ]));
        }
        var lab = new BenchLab(prefix, LabTopology.Create([]));
        try
        {
            lab._topology.AddNamespace(lab.GenNs);
            lab._topology.AddNamespace(lab.SinkNs);
            // The veth pair goes with its namespaces when the lab removes them.
            IpCommand.Ip("link", "add", lab.GenIf, "netns", lab.GenNs, "type", "veth", "peer", "name", lab.SinkIf, "netns", lab.SinkNs);
            foreach ((string ns, string ifName, ulong mac) in new[] { (lab.GenNs, lab.GenIf, GenMac), (lab.SinkNs, lab.SinkIf, SinkMac) })
            {
                IpCommand.Ip("-n", ns, "link", "set", ifName, "address", MacAddress.Format(mac));
                IpCommand.Ip("-n", ns, "link", "set", ifName, "up");
            }
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>rx_packets of a host's interface, as its own namespace counts it.</summary>
    public static ulong RxPackets(string ns, string ifName)
    {
        string json = IpCommand.Ip("-n", ns, "-s", "-j", "link", "show", "dev", ifName);
        using JsonDocument doc = JsonDocument.Parse(json);
        return doc.RootElement[0].GetProperty("stats64").GetProperty("rx").GetProperty("packets").GetUInt64();
    }

    /// <summary>Four frames from the sink to the generator, so the switch knows where the sink is before traffic is offered to it.</summary>
    public void SinkHello(int cpu)
    {
        using FramePlan hello = FramePlan.Create(64, 1, _ => SinkMac, _ => GenMac);
        Generator.Send(SinkNs, SinkIf, cpu, hello, 1000, 1, count: 4);
    }

    public void Dispose() => _topology.Dispose();
}
