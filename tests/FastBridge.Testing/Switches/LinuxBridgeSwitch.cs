// The Linux bridge as the switch under test: ip link add NAME type bridge ageing_time CS stp_state 0,
// IPv6 off on the bridge device, the ports enslaved, up; Stop deletes it. A mirror is the kernel's own
// (tc mirred from a source port's clsact hooks), its destination taken out of the bridge.
using System.Globalization;
using FastBridge.ControlPlane.Lab;
using FastBridge.Testing.Processes;

namespace FastBridge.Testing.Switches;

internal sealed class LinuxBridgeSwitch(SwitchSettings settings) : SwitchUnderTest
{
    private static readonly TimeSpan s_ipTimeout = TimeSpan.FromSeconds(10);

    private string? _name;
    private bool _stopped;

    public override string Kind => SwitchKind.LinuxBridge;

    public override void Start(string name, IReadOnlyList<string> ports)
    {
        Ip("link", "add", name, "type", "bridge",
            "ageing_time", (settings.AgeingSeconds * 100).ToString(CultureInfo.InvariantCulture), "stp_state", "0");
        _name = name;
        // The bridge device itself must not chatter (IPv6 DAD, MLD) into the ports.
        File.WriteAllText($"/proc/sys/net/ipv6/conf/{name}/disable_ipv6", "1");
        foreach (string port in ports)
        {
            Ip("link", "set", port, "master", name);
        }

        Ip("link", "set", name, "up");
    }

    public override void FlushFdb() => Ip("link", "set", "dev", Name, "type", "bridge", "fdb_flush");

    public override void SetPortFlag(string port, string flag, bool on) =>
        ChildProcess.RunChecked(Tools.Require("bridge", "iproute2"), ["link", "set", "dev", port, flag, on ? "on" : "off"], s_ipTimeout);

    /// <summary>
    /// The destination leaves the bridge (it takes no part in forwarding); each source gets a clsact qdisc whose
    /// ingress (rx: the frame as received, before the bridge sees it) and egress (tx: what the bridge sends out of
    /// it) hooks copy every frame to the destination. u32 matching nothing in particular: this kernel has no matchall.
    /// </summary>
    public override void AddMirror(string name, IReadOnlyList<string> sources, string direction, string destination)
    {
        string[] hooks = direction switch
        {
            "rx" => ["ingress"],
            "tx" => ["egress"],
            "both" => ["ingress", "egress"],
            _ => throw new ArgumentOutOfRangeException(nameof(direction), direction, "rx, tx or both"),
        };
        Ip("link", "set", destination, "nomaster");
        string tc = Tools.Require("tc", "iproute2");
        foreach (string source in sources)
        {
            ChildProcess.RunChecked(tc, ["qdisc", "replace", "dev", source, "clsact"], s_ipTimeout);
            foreach (string hook in hooks)
            {
                ChildProcess.RunChecked(tc,
                    ["filter", "add", "dev", source, hook, "protocol", "all", "u32", "match", "u32", "0", "0",
                     "action", "mirred", "egress", "mirror", "dev", destination], s_ipTimeout);
            }
        }
    }

    public override string Describe()
    {
        if (_name is null || !LabTopology.LinkExists(_name))
        {
            return $"bridge {_name} is gone";
        }

        ProcessResult links = ChildProcess.Run(Tools.Ip, ["-br", "link", "show", "master", _name], s_ipTimeout);
        ProcessResult fdb = ChildProcess.Run(Tools.Require("bridge", "iproute2"), ["fdb", "show", "br", _name], s_ipTimeout);
        return $"--- ports of {_name} ---\n{links.Stdout.TrimEnd()}\n--- fdb ---\n{fdb.Stdout.TrimEnd()}";
    }

    public override string? Stop()
    {
        if (_stopped || _name is null)
        {
            return null;
        }

        _stopped = true;
        if (LabTopology.LinkExists(_name))
        {
            ProcessResult result = ChildProcess.Run(Tools.Ip, ["link", "del", _name], s_ipTimeout);
            if (result.ExitCode != 0 && LabTopology.LinkExists(_name))
            {
                return result.ToString();
            }
        }

        return null;
    }

    private string Name => _name ?? throw new InvalidOperationException("the bridge is not started");

    private static void Ip(params string[] args) => ChildProcess.RunChecked(Tools.Ip, args, s_ipTimeout);
}
