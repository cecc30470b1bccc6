// A throw-away lab for integration tests: a veth pair whose host end stays in this namespace and
// whose peer end lives in a fresh network namespace, all named "fbap" + 4 random hex digits + a
// suffix (at most 15 characters). Dispose removes every link and namespace it made, even after a
// failed test; nothing else (eth0 included) is touched.
using System.Diagnostics;

namespace FastBridge.Tests.Ports;

internal sealed class VethLab : IDisposable
{
    private readonly List<string> _links = [];
    private readonly List<string> _namespaces = [];

    private VethLab()
    {
        Tag = Convert.ToHexString(BitConverter.GetBytes(Random.Shared.Next())[..2]).ToLowerInvariant();
    }

    /// <summary>The 4 hex digits every name of this lab carries.</summary>
    public string Tag { get; }

    public string Host => $"fbap{Tag}a";

    public string Peer => $"fbap{Tag}b";

    public string Netns => $"fbap{Tag}ns";

    /// <summary>A lab with no links yet, for tests that build their own (bridges, tun devices).</summary>
    public static VethLab Empty() => new();

    /// <summary>Host end here, peer end in Netns, both up, with the given MTU.</summary>
    public static VethLab Create(int mtu = 1500)
    {
        var lab = new VethLab();
        try
        {
            lab.AddNamespace(lab.Netns);
            lab.AddLink(lab.Host, "type", "veth", "peer", "name", lab.Peer, "netns", lab.Netns);
            Ip("link", "set", lab.Host, "mtu", $"{mtu}", "up");
            Ip("-n", lab.Netns, "link", "set", lab.Peer, "mtu", $"{mtu}", "up");
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    public string Name(string suffix) => $"fbap{Tag}{suffix}";

    /// <summary>ip link add NAME args..., remembered for removal.</summary>
    public void AddLink(string name, params string[] args)
    {
        _links.Add(name);
        Ip(["link", "add", name, .. args]);
    }

    public void TrackLink(string name) => _links.Add(name);

    public void AddNamespace(string name)
    {
        _namespaces.Add(name);
        Ip("netns", "add", name);
    }

    public static void Ip(params string[] args) => Run("ip", args, check: true);

    public void Dispose()
    {
        // Deleting one end of a veth pair deletes both; deleting the namespace deletes what is left inside.
        foreach (string link in Enumerable.Reverse(_links))
        {
            if (Directory.Exists($"/sys/class/net/{link}"))
            {
                Run("ip", ["link", "del", link], check: false);
            }
        }
        foreach (string ns in _namespaces)
        {
            Run("ip", ["netns", "del", ns], check: false);
        }
    }

    private static void Run(string file, string[] args, bool check)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using Process process = Process.Start(info)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(10_000))
        {
            process.Kill();
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 10 s");
        }
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {stderr.Result.Trim()}");
        }
    }
}
