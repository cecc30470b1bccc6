// A throw-away lab for the AF_XDP tests: veth pairs whose host end stays here and whose peer end lives
// in a fresh namespace, all named "fbxd" + 4 random hex digits + a suffix (at most 15 characters).
// Dispose removes every link and namespace it made, even after a failed test; nothing else is touched.
using System.Diagnostics;

namespace FastBridge.Tests.Xdp;

internal sealed class XdpLab : IDisposable
{
    private readonly List<string> _links = [];
    private readonly List<string> _namespaces = [];

    public XdpLab()
    {
        Tag = Convert.ToHexString(BitConverter.GetBytes(Random.Shared.Next())[..2]).ToLowerInvariant();
    }

    public string Tag { get; }

    public string Netns => $"fbxd{Tag}ns";

    /// <summary>Host end "fbxd{tag}{suffix}a" here, peer "...b" in Netns, both up; returns (host, peer).</summary>
    public (string Host, string Peer) AddVeth(string suffix, int mtu = 1500, int queues = 1)
    {
        if (_namespaces.Count == 0)
        {
            _namespaces.Add(Netns);
            Run("ip", "netns", "add", Netns);
        }
        string host = $"fbxd{Tag}{suffix}a", peer = $"fbxd{Tag}{suffix}b";
        _links.Add(host);
        string q = queues.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Run("ip", "link", "add", host, "numrxqueues", q, "numtxqueues", q, "type", "veth", "peer", "name", peer, "numrxqueues", q, "numtxqueues", q, "netns", Netns);
        Run("ip", "link", "set", host, "mtu", $"{mtu}", "up");
        Run("ip", "-n", Netns, "link", "set", peer, "mtu", $"{mtu}", "up");
        return (host, peer);
    }

    /// <summary>`ip -d link show dev NAME`.</summary>
    public static string Details(string name) => Run("ip", "-d", "link", "show", "dev", name);

    /// <summary>Whether `ip -d link` shows an XDP program on the interface.</summary>
    public static bool HasXdp(string name) => Details(name).Contains("prog/xdp", StringComparison.Ordinal);

    public void Dispose()
    {
        foreach (string link in Enumerable.Reverse(_links))
        {
            if (Directory.Exists($"/sys/class/net/{link}"))
            {
                Run(false, "ip", "link", "del", link);
            }
        }
        foreach (string ns in _namespaces)
        {
            Run(false, "ip", "netns", "del", ns);
        }
    }

    public static string Run(string file, params string[] args) => Run(true, file, args);

    private static string Run(bool check, string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using Process process = Process.Start(info)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(10_000))
        {
            process.Kill();
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 10 s");
        }
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {stderr.Result.Trim()}");
        }
        return stdout;
    }
}
