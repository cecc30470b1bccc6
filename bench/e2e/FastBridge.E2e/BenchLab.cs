// The bench topology, built anew for every switch under test and removed after it, even on failure:
// three hosts — gen (the generator), sink (where offered traffic goes) and mon (a third port that
// only sees what the switch floods, for the RFC 2889 tests) — built by the lab's own LabTopology
// (namespace, veth pair to a root-side port …gp, …sp, …mp, fixed MAC, IPv6 off). For the `none`
// baseline gen and sink share one veth pair instead and there are no ports. Commands run through
// the lab's IpCommand, which names the command and its stderr when one fails.
using System.ComponentModel;
using System.Text.Json;
using FastBridge.ControlPlane.Lab;
using FastBridge.Datapath.Frames;

namespace FastBridge.E2e;

internal sealed class BenchLab : IDisposable
{
    public const ulong GenMac = 0x02_00_00_00_00_01, SinkMac = 0x02_00_00_00_00_02, MonMac = 0x02_00_00_00_00_03;

    private LabTopology? _switched;
    private readonly List<string> _directNamespaces = [];

    private BenchLab(string prefix) => Prefix = prefix;

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
    public IReadOnlyList<string> Ports => _switched?.Hosts.Select(h => h.PortInterface).ToArray() ?? [];

    public static BenchLab Create(string prefix, bool direct)
    {
        var lab = new BenchLab(prefix);
        if (!direct)
        {
            // The addresses are never used (the bench's frames are not IP); LabTopology wants one per host.
            lab._switched = LabTopology.Create(
            [
                new LabHost(lab.GenNs, lab.GenIf, prefix + "gp", "10.98.0.1", GenMac),
                new LabHost(lab.SinkNs, lab.SinkIf, prefix + "sp", "10.98.0.2", SinkMac),
                new LabHost(lab.MonNs, lab.MonIf, prefix + "mp", "10.98.0.3", MonMac),
            ]);
            return lab;
        }
        try
        {
            foreach (string ns in new[] { lab.GenNs, lab.SinkNs })
            {
                Run("ip", "netns", "add", ns);
                lab._directNamespaces.Add(ns);
                Run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
            }
            Run("ip", "link", "add", lab.GenIf, "netns", lab.GenNs, "type", "veth", "peer", "name", lab.SinkIf, "netns", lab.SinkNs);
            foreach ((string ns, string ifName, ulong mac) in new[] { (lab.GenNs, lab.GenIf, GenMac), (lab.SinkNs, lab.SinkIf, SinkMac) })
            {
                Run("ip", "-n", ns, "link", "set", ifName, "address", MacAddress.Format(mac));
                Run("ip", "-n", ns, "link", "set", ifName, "up");
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
        string json = Capture("ip", "-n", ns, "-s", "-j", "link", "show", "dev", ifName);
        using JsonDocument doc = JsonDocument.Parse(json);
        return doc.RootElement[0].GetProperty("stats64").GetProperty("rx").GetProperty("packets").GetUInt64();
    }

    public void Dispose()
    {
        _switched?.Dispose();
        _switched = null;
        foreach (string ns in _directNamespaces)
        {
            TryRun("ip", "netns", "del", ns); // the veth pair goes with its namespaces
        }
        _directNamespaces.Clear();
    }

    public static void Run(params string[] args) => Capture(args);

    public static bool TryRun(params string[] args) => TryCapture(args) is not null;

    /// <summary>Runs a command to completion and returns its standard output; throws naming it and its stderr if it fails.</summary>
    public static string Capture(params string[] args) => IpCommand.Run(args[0], args[1..]);

    /// <summary>The command's output, or null if it could not start or failed.</summary>
    public static string? TryCapture(params string[] args)
    {
        try
        {
            return Capture(args);
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception)
        {
            return null;
        }
    }
}
