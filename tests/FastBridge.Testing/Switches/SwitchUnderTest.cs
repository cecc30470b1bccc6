// The switch a forwarding test or the e2e bench runs between a lab's ports: FastBridge (the candidate,
// on AF_PACKET or AF_XDP), the Linux bridge (the reference), Open vSwitch's userspace datapath with
// afxdp ports (the bench's other yardstick) or none at all (the bench's direct pair, its limit).
// Create picks one by kind; PrepareHost is what the lab's hosts need before it starts; Start switches
// the ports; Stop says whether it shut down cleanly, so a passing test can insist on it.
using FastBridge.ControlPlane.Lab;

namespace FastBridge.Testing.Switches;

internal static class SwitchKind
{
    /// <summary>The reference, FastBridge on each backend, and FastBridge with two poll loops (PACKET_FANOUT spreading flows over them).</summary>
    public const string LinuxBridge = "linux-bridge", FastBridge = "fastbridge-afpacket", FastBridgeAfXdp = "fastbridge-afxdp",
        FastBridgeTwoWorkers = "fastbridge-afpacket-2-workers";

    /// <summary>FastBridge on AF_XDP with --fast-path on and GRO on at the hosts' ends: known unicast switched in the kernel.</summary>
    public const string FastBridgeFastPath = "fastbridge-fastpath";

    /// <summary>The bench's reference for the fast path: the kernel's bare XDP redirect between two ports, no switch.</summary>
    public const string XdpRedirect = "xdp-redirect";

    /// <summary>The bench's other yardstick, and no switch at all (the bench's generator and sink paired directly).</summary>
    public const string OvsAfXdp = "ovs-afxdp", None = "none";
}

/// <summary>How a switch under test is set up; the defaults are the tests'.</summary>
internal sealed record SwitchSettings
{
    /// <summary>Seconds a learned address lives without traffic; 300 is 802.1D's default and each switch's own.</summary>
    public int AgeingSeconds { get; init; } = 300;

    /// <summary>More `fastbridge run` options (FastBridge only; the other switches take none).</summary>
    public IReadOnlyList<string> FastBridgeArgs { get; init; } = [];

    /// <summary>FastBridge's --stats-interval: 0, no stats lines.</summary>
    public int StatsIntervalSeconds { get; init; }

    /// <summary>The CPU for the switch's forwarding thread (FastBridge's poll loop, OVS's PMD thread); null: wherever it likes.</summary>
    public int? SwitchCpu { get; init; }

    /// <summary>bench/e2e/ovs.sh, which starts and stops OVS (OVS only).</summary>
    public string OvsScript { get; init; } = "ovs.sh";
}

internal abstract class SwitchUnderTest : IDisposable
{
    public abstract string Kind { get; }

    /// <summary>True for none: the lab pairs generator and sink directly, there are no ports.</summary>
    public virtual bool Direct => false;

    /// <summary>What each lab host needs before the switch starts; null for nothing.</summary>
    public virtual Action<LabHost>? PrepareHost => null;

    /// <summary>Whether it learns addresses (the RFC 2889 learning figures apply).</summary>
    public virtual bool Learns => !Direct;

    /// <summary>How long after learning its first stations the switch needs before it forwards at full speed (FastBridge's fast path: one mirror tick).</summary>
    public virtual TimeSpan Settle => TimeSpan.Zero;

    /// <summary>The switch's user-space processes while it runs (none for a switch in the kernel), for the paired bench to freeze while it measures another switch.</summary>
    public virtual IReadOnlyList<int> Processes => [];

    public static SwitchUnderTest Create(string kind, SwitchSettings settings) => kind switch
    {
        SwitchKind.LinuxBridge => new LinuxBridgeSwitch(settings),
        SwitchKind.FastBridge => new FastBridgeSwitch("afpacket", 1, settings),
        SwitchKind.FastBridgeAfXdp => new FastBridgeSwitch("afxdp", 1, settings),
        SwitchKind.FastBridgeTwoWorkers => new FastBridgeSwitch("afpacket", 2, settings),
        SwitchKind.FastBridgeFastPath => new FastBridgeSwitch("afxdp", 1, settings, fastPath: true),
        SwitchKind.XdpRedirect => new XdpRedirectSwitch(),
        SwitchKind.OvsAfXdp => new OvsSwitch(settings),
        SwitchKind.None => new NoSwitch(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown switch kind"),
    };

    /// <summary>Switches <paramref name="ports"/>; <paramref name="name"/> is unique to the lab, for what the switch makes of its own (a bridge device, a run directory).</summary>
    public abstract void Start(string name, IReadOnlyList<string> ports);

    /// <summary>Empties the forwarding database (the RFC 2889 trials start from nothing learned).</summary>
    public abstract void FlushFdb();

    /// <summary>
    /// Returns once what the switch learned from the frames delivered so far decides where it forwards. The switches
    /// here learn as a frame passes, all but Open vSwitch, whose cached datapath flows still send a moved station's
    /// frames to its old port until its revalidators have run.
    /// </summary>
    public virtual void AwaitLearning()
    {
    }

    /// <summary>Gives <paramref name="port"/> exactly this VLAN membership (a VLAN-aware switch only).</summary>
    public virtual void SetVlans(string port, PortVlanSpec vlans) => throw new NotSupportedException($"{Kind} is not set up VLAN-aware here");

    /// <summary>Turns a port flag (a `bridge link set` name: learning, flood, isolated...) on or off.</summary>
    public virtual void SetPortFlag(string port, string flag, bool on) => throw new NotSupportedException($"{Kind} has no port flags");

    /// <summary>
    /// Copies the frames <paramref name="sources"/> receive (rx), send (tx) or both to <paramref name="destination"/>,
    /// which then takes no part in forwarding (`fastbridge mirror add`; the Linux bridge: tc mirred).
    /// </summary>
    public virtual void AddMirror(string name, IReadOnlyList<string> sources, string direction, string destination) =>
        throw new NotSupportedException($"{Kind} has no port mirroring here");

    /// <summary>Garbage collections so far, all generations, where the switch is .NET; null otherwise.</summary>
    public virtual long? GcCollections() => null;

    /// <summary>What the switch has said or holds (its output, its FDB), for failure messages.</summary>
    public abstract string Describe();

    /// <summary>Stops the switch; returns null if it stopped cleanly, else what went wrong.</summary>
    public abstract string? Stop();

    public virtual void Dispose() => Stop();
}

internal sealed class NoSwitch : SwitchUnderTest
{
    public override string Kind => SwitchKind.None;

    public override bool Direct => true;

    public override void Start(string name, IReadOnlyList<string> ports)
    {
    }

    public override void FlushFdb()
    {
    }

    public override string Describe() => "no switch";

    public override string? Stop() => null;
}
