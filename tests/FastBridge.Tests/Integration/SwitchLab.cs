// One forwarding test's world: a lab of N hosts with names unique to this run, a switch under test
// over its ports, and a capture on every host. Deliver sends a frame and checks exactly which hosts
// received it, byte for byte; Ping runs ping between two hosts. Dispose stops everything and removes
// every namespace and link.
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using FastBridge.ControlPlane.Lab;
using FastBridge.Datapath.Frames;

namespace FastBridge.Tests.Integration;

internal sealed class SwitchLab : IDisposable
{
    public const int DefaultAgeingSeconds = 300;

    /// <summary>Locally administered unicast 02:fb:7e:57:00:NN for host NN.</summary>
    private const ulong HostMacBase = 0x02FB_7E57_0000UL;

    /// <summary>How long a frame may take to cross the switch before the test calls it lost.</summary>
    private static readonly TimeSpan s_arrivalTimeout = TimeSpan.FromSeconds(3);

    /// <summary>
    /// After the sentinel has arrived everywhere, a frame sent before it from the same port has either
    /// arrived or been dropped; this margin covers a sender that migrated CPUs between the two sends.
    /// </summary>
    private static readonly TimeSpan s_afterSentinel = TimeSpan.FromMilliseconds(100);

    private readonly List<FrameCapture> _captures = [];
    private LabTopology? _topology;
    private SwitchUnderTest? _switch;
    private int _steps;

    private SwitchLab(string kind)
    {
        Kind = kind;
        RunId = NewRunId();
    }

    public string Kind { get; }

    /// <summary>Five hex digits in every name this lab makes: fbt{RunId}n1 (namespace), ...h1 (host side), ...p1 (port).</summary>
    public string RunId { get; }

    public IReadOnlyList<LabHost> Hosts => _topology!.Hosts;

    public SwitchUnderTest Switch => _switch!;

    /// <summary>Host 1-based, as in the test descriptions.</summary>
    public LabHost this[int host] => Hosts[host - 1];

    /// <summary>Five hex digits (as VethLab's tags); with the fbt prefix and a two-character suffix, names stay under 15 characters.</summary>
    public static string NewRunId() => VethLab.NewTag();

    /// <param name="mtus">Each host's MTU, host 1 first; 1500 for all when null.</param>
    public static IReadOnlyList<LabHost> HostSpecs(string runId, int count, int[]? mtus = null)
    {
        var hosts = new List<LabHost>(count);
        for (int i = 1; i <= count; i++)
        {
            hosts.Add(new LabHost($"fbt{runId}n{i}", $"fbt{runId}h{i}", $"fbt{runId}p{i}", $"192.168.0.{100 + i}", HostMac(i),
                mtus?[i - 1] ?? LabHost.DefaultMtu));
        }

        return hosts;
    }

    public static ulong HostMac(int host) => HostMacBase | (uint)host;

    /// <param name="prepareHost">Runs on each host after the switch kind's own preparation, before the switch starts.</param>
    /// <param name="fastBridgeArgs">More `fastbridge run` options (FastBridge kinds only).</param>
    /// <param name="mtus">Each host's MTU, both ends of its veth (1500 when null).</param>
    public static SwitchLab Start(string kind, int hosts, int ageingSeconds = DefaultAgeingSeconds, bool captures = true,
        Action<LabHost>? prepareHost = null, IReadOnlyList<string>? fastBridgeArgs = null, int[]? mtus = null)
    {
        var lab = new SwitchLab(kind);
        try
        {
            lab._switch = SwitchUnderTest.Create(kind, new SwitchSettings
            {
                AgeingSeconds = ageingSeconds, FastBridgeArgs = fastBridgeArgs ?? [], OvsScript = RawFrames.InSourceTree("bench/e2e/ovs.sh") ?? "ovs.sh",
            });
            lab._topology = LabTopology.Create(HostSpecs(lab.RunId, hosts, mtus), lab._switch.PrepareHost + prepareHost);
            lab._switch.Start($"fbt{lab.RunId}br", [.. lab.Hosts.Select(h => h.PortInterface)]);
            if (captures)
            {
                foreach (LabHost host in lab.Hosts)
                {
                    lab._captures.Add(FrameCapture.Start(host));
                }
            }

            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A lab on a VLAN-aware switch (FastBridge: --vlan-filtering and a socket of its own), host i's port a member as
    /// <paramref name="vlans"/>[i - 1] says.
    /// </summary>
    public static SwitchLab StartVlanAware(string kind, IReadOnlyList<PortVlanSpec> vlans, int ageingSeconds = DefaultAgeingSeconds)
    {
        SwitchLab lab = Start(kind, vlans.Count, ageingSeconds, fastBridgeArgs: ["--vlan-filtering", .. FastBridgeSwitch.ApiArgs()]);
        try
        {
            for (int host = 1; host <= vlans.Count; host++)
            {
                lab.Switch.SetVlans(lab[host].PortInterface, vlans[host - 1]);
            }
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>Whether the switch forwards a broadcast from host a to host b (port flags may stop some); Deliver waits for its sentinel only there.</summary>
    public Func<int, int, bool> SentinelReaches { get; set; } = (_, _) => true;

    /// <summary>The broadcast sentinel the last Deliver sent after its frame (a mirror test expects its copies too).</summary>
    public byte[]? LastSentinel { get; private set; }

    /// <summary>A marker no other step or run shares.</summary>
    public byte[] NextMarker(string what) => TestFrames.Marker($"FBT-{RunId}-{++_steps:D2}-{what}");

    public FrameCapture Capture(int host) => _captures[host - 1];

    /// <summary>
    /// Sends <paramref name="frame"/> (which carries <paramref name="marker"/>) from <paramref name="from"/>,
    /// then a broadcast sentinel from the same host; once the sentinel has reached every other host, each
    /// host in <paramref name="expected"/> must hold exactly one copy, byte-identical, and no other host any.
    /// </summary>
    public void Deliver(int from, byte[] frame, byte[] marker, params int[] expected) =>
        Deliver(from, frame, marker, expected.ToDictionary(host => host, _ => frame));

    /// <summary>
    /// As Deliver, with the frame each host in <paramref name="expected"/> must receive (a VLAN switch tags and untags);
    /// the sentinel is <paramref name="tagSentinel"/> of the broadcast one and must reach <paramref name="sentinelHosts"/>
    /// (its VLAN's other members; null: every other host).
    /// </summary>
    public void Deliver(int from, byte[] frame, byte[] marker, IReadOnlyDictionary<int, byte[]> expected,
        Func<byte[], byte[]>? tagSentinel = null, IReadOnlyCollection<int>? sentinelHosts = null)
    {
        byte[] sentinelMarker = NextMarker("sentinel");
        byte[] sentinel = TestFrames.Experimental(MacAddress.Broadcast, HostMac(from), sentinelMarker);
        LastSentinel = tagSentinel is null ? sentinel : tagSentinel(sentinel);
        RawFrames.Send(this[from], frame, LastSentinel);
        for (int host = 1; host <= Hosts.Count; host++)
        {
            if (host != from && (sentinelHosts?.Contains(host) ?? true) && SentinelReaches(from, host) && !Capture(host).WaitForCount(sentinelMarker, 1, s_arrivalTimeout))
            {
                Fail($"the broadcast sentinel from h{from} never reached h{host}, so the switch is not flooding broadcasts");
            }
        }

        Thread.Sleep(s_afterSentinel);
        var problems = new StringBuilder();
        for (int host = 1; host <= Hosts.Count; host++)
        {
            List<byte[]> got = Capture(host).FramesWith(marker);
            bool wanted = expected.TryGetValue(host, out byte[]? frameThere);
            if (!wanted && got.Count > 0)
            {
                problems.AppendLine($"h{host} received {got.Count} cop{(got.Count == 1 ? "y" : "ies")} but should have received none");
            }
            else if (wanted && got.Count != 1)
            {
                problems.AppendLine($"h{host} received {got.Count} copies, expected exactly 1");
            }
            else if (wanted && !got[0].AsSpan().SequenceEqual(frameThere))
            {
                problems.AppendLine($"h{host} received a different frame:\n  sent {TestFrames.Hex(frame)}\n  want {TestFrames.Hex(frameThere!)}\n  got  {TestFrames.Hex(got[0])}");
            }
        }

        if (problems.Length > 0)
        {
            Fail($"frame '{Encoding.ASCII.GetString(marker)}' from h{from}, expected at [{string.Join(", ", expected.Keys.Select(h => "h" + h))}]:\n{problems}");
        }
    }

    /// <summary>Deliver with a fresh marker for <paramref name="what"/>, in the frame <paramref name="build"/> makes around it.</summary>
    public void Deliver(int from, string what, Func<byte[], byte[]> build, params int[] expected)
    {
        byte[] marker = NextMarker(what);
        Deliver(from, build(marker), marker, expected);
    }

    /// <summary>
    /// `ping -c COUNT -i INTERVAL -W 1` from host <paramref name="from"/> to host <paramref name="to"/>; the
    /// result and the replies counted from ping's summary line (0 if it printed none).
    /// </summary>
    public (ProcessResult Result, int Sent, int Received) Ping(int from, int to, int count, double intervalSeconds = 0.2)
    {
        string interval = intervalSeconds.ToString("0.0##", CultureInfo.InvariantCulture);
        TimeSpan limit = TimeSpan.FromSeconds(count * intervalSeconds + 10);
        ProcessResult result = ChildProcess.Run(Tools.Ip,
            ["netns", "exec", this[from].Namespace, Tools.Ping, "-c", count.ToString(CultureInfo.InvariantCulture),
             "-i", interval, "-W", "1", this[to].Address], limit);
        Match summary = Regex.Match(result.Stdout, @"(\d+) packets transmitted, (\d+) received");
        return summary.Success
            ? (result, int.Parse(summary.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(summary.Groups[2].Value, CultureInfo.InvariantCulture))
            : (result, 0, 0);
    }

    /// <summary>Fails the test with the message, what the switch holds or said, and where the lab is.</summary>
    public void Fail(string message) => Assert.Fail($"[{Kind}, lab fbt{RunId}] {message}\n{Switch.Describe()}");

    /// <summary>Stops the switch and fails the test if it did not stop cleanly (FastBridge: exit 0 within 5 s of SIGTERM).</summary>
    public void Finish()
    {
        string? problem = _switch?.Stop();
        if (problem is not null)
        {
            Assert.Fail($"[{Kind}, lab fbt{RunId}] the switch did not stop cleanly: {problem}");
        }
    }

    public void Dispose()
    {
        foreach (FrameCapture capture in _captures)
        {
            capture.Dispose();
        }

        try
        {
            _switch?.Dispose();
        }
        finally
        {
            _topology?.Dispose();
        }
    }
}
