// A throw-away lab for tests, built by the product's own lab builder (ControlPlane/Lab/LabTopology): veth
// pairs whose root-side end is the interface under test and whose peer lives in a namespace, every name
// "fb" + the lab's 5 hex digits + a suffix (at most 15 characters, so suffixes up to 8). Pairs share the
// lab's namespace unless one is added with a namespace of its own. Dispose removes every link and
// namespace it made, even after a failed test; nothing else (eth0 included) is touched.
using System.Globalization;
using FastBridge.ControlPlane.Lab;
using FastBridge.Testing.Frames;
using FastBridge.Testing.Traffic;

namespace FastBridge.Testing.Lab;

internal sealed class VethLab : IDisposable
{
    /// <summary>Locally administered unicast 02:fb:00:TT:TT:NN for pair NN of the lab tagged TTTT.</summary>
    private const ulong MacBase = 0x02FB_0000_0000UL;

    private readonly LabTopology _topology = LabTopology.Create([]);

    public VethLab()
    {
        Tag = NewTag();
    }

    /// <summary>The 5 hex digits every name of this lab carries.</summary>
    public string Tag { get; }

    /// <summary>The namespace the pairs' peers share.</summary>
    public string Netns => Name("ns");

    /// <summary>The first pair (Create): host end here, peer end in Netns.</summary>
    public string Host => Name("a");

    public string Peer => Name("b");

    /// <summary>Every pair made so far, first first.</summary>
    public IReadOnlyList<LabHost> Pairs => _topology.Hosts;

    /// <summary>5 hex digits, random per lab: with "fb" and a suffix of up to 8 characters a name stays within 15.</summary>
    public static string NewTag() => Random.Shared.Next(0x10000, 0x100000).ToString("x5", CultureInfo.InvariantCulture);

    /// <summary>One pair, Host here and Peer in Netns, both up with the given MTU.</summary>
    public static VethLab Create(int mtu = LabHost.DefaultMtu)
    {
        var lab = new VethLab();
        try
        {
            lab.AddVeth("", mtu);
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    public string Name(string suffix) => $"fb{Tag}{suffix}";

    /// <summary>Host end "fb{tag}{suffix}a" here, peer "...b" in Netns, both up; returns (host, peer).</summary>
    public (string Host, string Peer) AddVeth(string suffix, int mtu = LabHost.DefaultMtu, int queues = 1)
    {
        LabHost pair = Add(Netns, Name(suffix + "b"), Name(suffix + "a"), mtu, queues);
        return (pair.PortInterface, pair.HostInterface);
    }

    /// <summary>
    /// A pair in LabTopology's terms: <paramref name="portInterface"/> here, <paramref name="hostInterface"/> in
    /// <paramref name="netns"/> (made with the first pair there, reused after). Adding a pair again after a test
    /// deleted it makes it anew in the namespace that is still there.
    /// </summary>
    public LabHost Add(string netns, string hostInterface, string portInterface, int mtu = LabHost.DefaultMtu, int queues = 1)
    {
        int index = _topology.Hosts.Select(p => p.PortInterface).ToList().IndexOf(portInterface);
        int number = index >= 0 ? index + 1 : _topology.Hosts.Count + 1;
        var pair = new LabHost(netns, hostInterface, portInterface, "", MacBase | (ulong)Convert.ToUInt32(Tag, 16) << 8 | (uint)number, mtu, queues);
        _topology.Add(pair);
        return pair;
    }

    /// <summary>A raw socket in Netns on <paramref name="peer"/> (the first pair's Peer when null), for frames of the test EtherType.</summary>
    public RawSocket OpenPeer(string? peer = null, bool keepTags = false) => RawSocket.OpenIn(Netns, peer ?? Peer, TestFrames.ExperimentalEtherType, keepTags);

    /// <summary>ip link add NAME ARGS..., removed with the lab.</summary>
    public void AddLink(string name, params string[] args)
    {
        _topology.TrackLink(name);
        Ip(["link", "add", name, .. args]);
    }

    /// <summary>A link the test made itself (a tun device), removed with the lab.</summary>
    public void TrackLink(string name) => _topology.TrackLink(name);

    public void AddNamespace(string name) => _topology.AddNamespace(name);

    /// <summary>`ip ARGS`; throws naming the command and its stderr if it fails.</summary>
    public static string Ip(params string[] args) => IpCommand.Ip(args);

    /// <summary>`ip -d link show dev NAME`.</summary>
    public static string Details(string name) => Ip("-d", "link", "show", "dev", name);

    /// <summary>Whether `ip -d link` shows an XDP program on the interface.</summary>
    public static bool HasXdp(string name) => Details(name).Contains("prog/xdp", StringComparison.Ordinal);

    public void Dispose() => _topology.Dispose();
}
