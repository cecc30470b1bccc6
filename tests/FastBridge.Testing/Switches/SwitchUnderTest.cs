// The switch a forwarding test runs against: the Linux bridge (the reference) or FastBridge (the
// candidate). Both take the lab's root-side ports and an ageing time, and stop on Dispose; Stop
// reports whether the switch shut down cleanly so a passing test can insist on it.
using System.Globalization;
using FastBridge.ControlPlane.Lab;

namespace FastBridge.Tests.Integration;

internal interface ISwitchUnderTest : IDisposable
{
    /// <summary>What the switch has said or holds (its output, its FDB), for failure messages.</summary>
    string Describe();

    /// <summary>Stops the switch; returns null if it stopped cleanly, else what went wrong.</summary>
    string? Stop();
}

internal static class SwitchKind
{
    public const string LinuxBridge = "linux-bridge";
    public const string FastBridge = "fastbridge-afpacket";

    public const string FastBridgeAfXdp = "fastbridge-afxdp";

    /// <summary>FastBridge with two poll loops, PACKET_FANOUT spreading flows over them.</summary>
    public const string FastBridgeTwoWorkers = "fastbridge-afpacket-2-workers";

    /// <summary>What each host needs before the switch starts.</summary>
    public static Action<LabHost>? PrepareHost(string kind) => kind switch
    {
        LinuxBridge => null,
        FastBridge or FastBridgeAfXdp or FastBridgeTwoWorkers => LabTopology.DisableHostSendOffloads,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown switch kind"),
    };

    /// <param name="fastBridgeArgs">More `fastbridge run` options; the Linux bridge takes none.</param>
    public static ISwitchUnderTest Start(string kind, string name, IReadOnlyList<LabHost> hosts, int ageingSeconds, IReadOnlyList<string> fastBridgeArgs) => kind switch
    {
        LinuxBridge => fastBridgeArgs.Count == 0
            ? LinuxBridgeSwitch.Start(name, hosts.Select(h => h.PortInterface).ToList(), ageingSeconds)
            : throw new ArgumentException($"the Linux bridge takes no fastbridge options ({string.Join(' ', fastBridgeArgs)})"),
        FastBridge => FastBridgeSwitch.Start(hosts.Select(h => h.PortInterface).ToList(), ageingSeconds, backend: "afpacket", extraArgs: fastBridgeArgs),
        FastBridgeAfXdp => FastBridgeSwitch.Start(hosts.Select(h => h.PortInterface).ToList(), ageingSeconds, backend: "afxdp", extraArgs: fastBridgeArgs),
        FastBridgeTwoWorkers => FastBridgeSwitch.Start(hosts.Select(h => h.PortInterface).ToList(), ageingSeconds, workers: 2, backend: "afpacket", extraArgs: fastBridgeArgs),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown switch kind"),
    };
}

/// <summary>
/// FastBridge receives on AF_PACKET, which hands it the host's unsegmented, checksum-less super-frames
/// unless the host side does segmentation and checksums itself. The one place that arranges that.
/// </summary>
/// <summary>ip link add NAME type bridge ageing_time CS stp_state 0, ports enslaved, up.</summary>
internal sealed class LinuxBridgeSwitch : ISwitchUnderTest
{
    private static readonly TimeSpan s_ipTimeout = TimeSpan.FromSeconds(10);

    private readonly string _name;
    private bool _stopped;

    private LinuxBridgeSwitch(string name) => _name = name;

    public static LinuxBridgeSwitch Start(string name, IReadOnlyList<string> ports, int ageingSeconds)
    {
        Ip("link", "add", name, "type", "bridge",
            "ageing_time", (ageingSeconds * 100).ToString(CultureInfo.InvariantCulture), "stp_state", "0");
        var bridge = new LinuxBridgeSwitch(name);
        try
        {
            // The bridge device itself must not chatter (IPv6 DAD, MLD) into the ports.
            File.WriteAllText($"/proc/sys/net/ipv6/conf/{name}/disable_ipv6", "1");
            foreach (string port in ports)
            {
                Ip("link", "set", port, "master", name);
            }

            Ip("link", "set", name, "up");
            return bridge;
        }
        catch
        {
            bridge.Dispose();
            throw;
        }
    }

    public string Describe()
    {
        if (!LabTopology.LinkExists(_name))
        {
            return $"bridge {_name} is gone";
        }

        ProcessResult links = ExternalProcess.Run(Tools.Ip, ["-br", "link", "show", "master", _name], s_ipTimeout);
        ProcessResult fdb = ExternalProcess.Run(Tools.Require("bridge", "iproute2"), ["fdb", "show", "br", _name], s_ipTimeout);
        return $"--- ports of {_name} ---\n{links.Stdout.TrimEnd()}\n--- fdb ---\n{fdb.Stdout.TrimEnd()}";
    }

    public string? Stop()
    {
        if (_stopped)
        {
            return null;
        }

        _stopped = true;
        if (LabTopology.LinkExists(_name))
        {
            ProcessResult result = ExternalProcess.Run(Tools.Ip, ["link", "del", _name], s_ipTimeout);
            if (result.ExitCode != 0 && LabTopology.LinkExists(_name))
            {
                return result.ToString();
            }
        }

        return null;
    }

    public void Dispose() => Stop();

    private static void Ip(params string[] args) => ExternalProcess.RunChecked(Tools.Ip, args, s_ipTimeout);
}
