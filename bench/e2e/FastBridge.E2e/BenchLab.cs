// The bench topology, built anew for every switch under test and removed after it, even on failure:
// three hosts as network namespaces — gen (the generator), sink (where offered traffic goes) and
// mon (a third port that only sees what the switch floods, for the RFC 2889 tests) — each joined
// by a veth pair to a port in the root namespace (…gp, …sp, …mp). For the `none` baseline gen and
// sink share one veth pair instead and there are no ports. IPv6 is off everywhere the bench
// creates, so no neighbour discovery or MLD frame is counted as traffic.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace FastBridge.E2e;

internal sealed class BenchLab : IDisposable
{
    public const ulong GenMac = 0x02_00_00_00_00_01, SinkMac = 0x02_00_00_00_00_02, MonMac = 0x02_00_00_00_00_03;

    private readonly List<string> _namespaces = [];
    private readonly List<string> _rootLinks = [];

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
    public IReadOnlyList<string> Ports => _rootLinks;

    public static BenchLab Create(string prefix, bool direct)
    {
        var lab = new BenchLab(prefix);
        try
        {
            foreach (string ns in new[] { lab.GenNs, lab.SinkNs, lab.MonNs })
            {
                Run("ip", "netns", "add", ns);
                lab._namespaces.Add(ns);
                Run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
                Run("ip", "-n", ns, "link", "set", "lo", "up");
            }
            if (direct)
            {
                Run("ip", "link", "add", lab.GenIf, "netns", lab.GenNs, "type", "veth", "peer", "name", lab.SinkIf, "netns", lab.SinkNs);
            }
            else
            {
                lab.AddHost(lab.GenNs, lab.GenIf, prefix + "gp");
                lab.AddHost(lab.SinkNs, lab.SinkIf, prefix + "sp");
                lab.AddHost(lab.MonNs, lab.MonIf, prefix + "mp");
            }
            lab.Address(lab.GenNs, lab.GenIf, GenMac);
            lab.Address(lab.SinkNs, lab.SinkIf, SinkMac);
            if (!direct)
            {
                lab.Address(lab.MonNs, lab.MonIf, MonMac);
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
        foreach (string link in _rootLinks)
        {
            TryRun("ip", "link", "del", link);
        }
        foreach (string ns in _namespaces)
        {
            TryRun("ip", "netns", "del", ns);
        }
        _rootLinks.Clear();
        _namespaces.Clear();
    }

    public static void Run(params string[] args) => Capture(args);

    public static bool TryRun(params string[] args) => Exec(args).Code == 0;

    /// <summary>Runs a command in <paramref name="directory"/>; false if it could not start or failed.</summary>
    public static bool TryRunIn(string directory, params string[] args)
    {
        try
        {
            return Exec(args, directory).Code == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>The command's output, or null if it could not start or failed.</summary>
    public static string? TryCapture(params string[] args)
    {
        try
        {
            (int code, string output, _) = Exec(args);
            return code == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>Runs a command to completion and returns its standard output; throws with its error output if it fails.</summary>
    public static string Capture(params string[] args)
    {
        (int code, string output, string error) = Exec(args);
        return code == 0 ? output : throw new InvalidOperationException($"`{string.Join(' ', args)}` failed ({code}): {error.Trim()}");
    }

    private static (int Code, string Output, string Error) Exec(string[] args, string? directory = null)
    {
        var start = new ProcessStartInfo(args[0]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory ?? "" };
        foreach (string arg in args.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }
        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }

    private void AddHost(string ns, string inside, string port)
    {
        Run("ip", "link", "add", port, "type", "veth", "peer", "name", inside, "netns", ns);
        _rootLinks.Add(port);
        Run("sysctl", "-qw", $"net.ipv6.conf.{port}.disable_ipv6=1");
        Run("ip", "link", "set", port, "up");
    }

    private void Address(string ns, string ifName, ulong mac)
    {
        string text = string.Join(':', Enumerable.Range(0, 6).Select(i => ((mac >> (40 - 8 * i)) & 0xFF).ToString("x2", CultureInfo.InvariantCulture)));
        Run("ip", "-n", ns, "link", "set", ifName, "address", text);
        Run("ip", "-n", ns, "link", "set", ifName, "up");
    }
}
