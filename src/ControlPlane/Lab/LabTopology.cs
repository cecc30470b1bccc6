// The lab: network namespaces standing in for hosts, each joined to the root namespace by a veth
// pair whose root-side end is a switch port. The one lab builder: `fastbridge lab` (the classic Linux
// bridge walkthrough) builds its hosts with it, and so do the tests and the e2e bench (through
// tests/FastBridge.Testing, with names unique to each run). Built and torn down on the caller's
// thread; nothing here runs while the switch forwards.
using System.Globalization;
using System.Text.RegularExpressions;
using FastBridge.Datapath.Frames;
using FastBridge.Datapath.Ports;

namespace FastBridge.ControlPlane.Lab;

/// <summary>
/// One host: <see cref="Namespace"/> holds <see cref="HostInterface"/> (with <see cref="Mac"/> and
/// <see cref="Address"/>/24, or no address when it is empty); its peer <see cref="PortInterface"/> stays in
/// the root namespace as a switch port. Both ends of the pair get <see cref="Mtu"/> and <see cref="Queues"/>
/// receive and transmit queues. Hosts may share a namespace (the peers of a test's veth pairs do).
/// </summary>
internal sealed record LabHost(string Namespace, string HostInterface, string PortInterface, string Address, ulong Mac,
    int Mtu = LabHost.DefaultMtu, int Queues = 1)
{
    public const int DefaultMtu = 1500;
}

internal sealed partial class LabTopology : IDisposable
{
    /// <summary>Linux caps interface names at IFNAMSIZ - 1 characters.</summary>
    private const int MaxInterfaceName = 15;

    private const int PrefixLength = 24;

    /// <summary>Locally administered, unicast: 02:fb:00:00:00:NN for classic host NN.</summary>
    private const ulong ClassicMacBase = 0x02FB_0000_0000UL;

    private readonly List<string> _namespaces = [];
    private readonly List<string> _links = [];
    private readonly List<LabHost> _hosts = [];
    private bool _disposed;

    public IReadOnlyList<LabHost> Hosts => _hosts;

    /// <summary>
    /// Builds every host: namespace, veth pair created with the host end inside it, a fixed MAC on the
    /// host end, the address /24, IPv6 off on both ends (no NDP or MLD noise), links and lo up. Then
    /// <paramref name="prepareHost"/> runs once per host (for example to turn send offloads off on the
    /// host end). If anything fails, what was made so far is removed and the error is rethrown.
    /// </summary>
    public static LabTopology Create(IReadOnlyList<LabHost> hosts, Action<LabHost>? prepareHost = null)
    {
        Validate(hosts);
        var lab = new LabTopology();
        try
        {
            foreach (LabHost host in hosts)
            {
                lab.Add(host);
            }

            if (prepareHost is not null)
            {
                foreach (LabHost host in hosts)
                {
                    prepareHost(host);
                }
            }

            return lab;
        }
        catch
        {
            lab.DisposeQuietly();
            throw;
        }
    }

    /// <summary>net1..netN, veth1..vethN inside, veth1_p..vethN_p in the root namespace, 192.168.0.101 onwards.</summary>
    public static LabTopology Classic(int hosts = 3, Action<LabHost>? prepareHost = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hosts, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(hosts, 99);
        return Create(ClassicHosts(hosts), prepareHost);
    }

    public static IReadOnlyList<LabHost> ClassicHosts(int hosts)
    {
        var list = new List<LabHost>(hosts);
        for (int i = 1; i <= hosts; i++)
        {
            list.Add(new LabHost(
                $"net{i}", $"veth{i}", $"veth{i}_p",
                $"192.168.0.{100 + i}", ClassicMacBase | (uint)i));
        }

        return list;
    }

    /// <summary>
    /// The prepareHost a raw-socket switch needs: TSO, GSO and TX checksum offload off on the host end,
    /// as a real NIC peer would send neither segmentation-offloaded nor checksum-pending frames.
    /// </summary>
    public static void DisableHostSendOffloads(LabHost host) =>
        Namespaces.RunIn(host.Namespace, () => SendOffloads.Disable(host.HostInterface));

    /// <summary>
    /// Builds one more host now, or builds a host again whose veth pair was deleted (its namespace, made
    /// by this lab, is reused). What it makes is removed with the lab, also when this throws half-way.
    /// </summary>
    public void Add(LabHost host)
    {
        ValidateNames(host);
        if (!_namespaces.Contains(host.Namespace))
        {
            AddNamespace(host.Namespace);
        }

        string queues = host.Queues.ToString(CultureInfo.InvariantCulture);
        IpCommand.Ip("link", "add", host.PortInterface, "numrxqueues", queues, "numtxqueues", queues, "type", "veth",
            "peer", "name", host.HostInterface, "numrxqueues", queues, "numtxqueues", queues, "netns", host.Namespace);
        if (!_links.Contains(host.PortInterface))
        {
            _links.Add(host.PortInterface);
        }
        File.WriteAllText($"/proc/sys/net/ipv6/conf/{host.PortInterface}/disable_ipv6", "1");

        IpCommand.Ip("-n", host.Namespace, "link", "set", host.HostInterface, "address", MacAddress.Format(host.Mac));
        if (host.Mtu != LabHost.DefaultMtu)
        {
            string mtu = host.Mtu.ToString(CultureInfo.InvariantCulture);
            IpCommand.Ip("-n", host.Namespace, "link", "set", host.HostInterface, "mtu", mtu);
            IpCommand.Ip("link", "set", host.PortInterface, "mtu", mtu);
        }
        if (host.Address.Length > 0)
        {
            IpCommand.Ip("-n", host.Namespace, "addr", "add", $"{host.Address}/{PrefixLength}", "dev", host.HostInterface);
        }
        IpCommand.Ip("-n", host.Namespace, "link", "set", "lo", "up");
        IpCommand.Ip("-n", host.Namespace, "link", "set", host.HostInterface, "up");
        IpCommand.Ip("link", "set", host.PortInterface, "up");
        if (!_hosts.Contains(host))
        {
            _hosts.Add(host);
        }
    }

    /// <summary>An empty namespace with IPv6 off, removed with the lab (for hosts joined some other way).</summary>
    public void AddNamespace(string ns)
    {
        IpCommand.Ip("netns", "add", ns);
        _namespaces.Add(ns);
        // New devices in the namespace start with IPv6 off; lo is already there, so `all` covers it.
        IpCommand.InNamespace(ns, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1", "net.ipv6.conf.all.disable_ipv6=1");
    }

    /// <summary>A root-namespace link the caller made (a bridge, a tun device), removed with the lab.</summary>
    public void TrackLink(string name) => _links.Add(name);

    /// <summary>`fastbridge lab down`: removes net1..net3, every vethN_p, and the netN of each such N, where present.</summary>
    public static void RemoveClassic()
    {
        var indices = new SortedSet<int> { 1, 2, 3 };
        foreach (string path in Directory.EnumerateDirectories("/sys/class/net"))
        {
            Match match = ClassicPortName().Match(Path.GetFileName(path));
            if (match.Success)
            {
                indices.Add(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
            }
        }

        var failures = new List<string>();
        foreach (int i in indices)
        {
            RemoveLink($"veth{i}_p", failures);
            RemoveNamespace($"net{i}", failures);
        }

        ThrowIfAny(failures);
    }

    public static bool NamespaceExists(string ns) => File.Exists(Path.Combine("/run/netns", ns));

    public static bool LinkExists(string name) => Directory.Exists(Path.Combine("/sys/class/net", name));

    /// <summary>
    /// Deletes every root-side link and namespace this lab made. Already-gone ones are fine; idempotent.
    /// Throws only if something it made is still there after trying everything (a leak should be loud).
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        var failures = new List<string>();
        foreach (string link in _links)
        {
            RemoveLink(link, failures);
        }

        foreach (string ns in _namespaces)
        {
            RemoveNamespace(ns, failures);
        }

        ThrowIfAny(failures);
    }

    private void DisposeQuietly()
    {
        try
        {
            Dispose();
        }
        catch (InvalidOperationException)
        {
            // The set-up error that brought us here is the one worth reporting.
        }
    }

    private static void Validate(IReadOnlyList<LabHost> hosts)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (LabHost host in hosts)
        {
            ValidateNames(host);
            if (!names.Add(host.PortInterface) || !names.Add(host.Namespace + "/" + host.HostInterface))
            {
                throw new ArgumentException($"host {host.Namespace}/{host.PortInterface} repeats a port or host interface name", nameof(hosts));
            }
        }
    }

    private static void ValidateNames(LabHost host)
    {
        foreach (string name in (ReadOnlySpan<string>)[host.HostInterface, host.PortInterface])
        {
            if (name.Length is 0 or > MaxInterfaceName)
            {
                throw new ArgumentException($"interface name '{name}' must be 1 to {MaxInterfaceName} characters", nameof(host));
            }
        }

        if (MacAddress.IsGroup(host.Mac) || MacAddress.IsZero(host.Mac))
        {
            throw new ArgumentException($"host {host.Namespace} needs a unicast MAC, not {MacAddress.Format(host.Mac)}", nameof(host));
        }
    }

    private static void RemoveLink(string name, List<string> failures)
    {
        // Deleting one end of a veth pair deletes both, so the namespace side goes with it.
        if (LinkExists(name) && !IpCommand.TryIp(out string error, "link", "del", name) && LinkExists(name))
        {
            failures.Add(error);
        }
    }

    private static void RemoveNamespace(string ns, List<string> failures)
    {
        if (NamespaceExists(ns) && !IpCommand.TryIp(out string error, "netns", "del", ns) && NamespaceExists(ns))
        {
            failures.Add(error);
        }
    }

    private static void ThrowIfAny(List<string> failures)
    {
        if (failures.Count > 0)
        {
            throw new InvalidOperationException("lab teardown left things behind: " + string.Join("; ", failures));
        }
    }

    [GeneratedRegex(@"^veth(\d{1,2})_p$")]
    private static partial Regex ClassicPortName();
}
