// Open vSwitch's userspace datapath with afxdp ports as the switch under test (bench/e2e/ovs.sh starts
// and stops it in a run directory of its own), its PMD thread on the switch CPU.
using System.Globalization;
using FastBridge.Testing.Processes;

namespace FastBridge.Testing.Switches;

internal sealed class OvsSwitch(SwitchSettings settings) : SwitchUnderTest
{
    /// <summary>
    /// ovs.sh starts a database and a daemon and adds the ports; seconds when healthy, but each port first tries
    /// zero-copy (refused on veth): four ports took over 20 s on the loaded 2-core test VM.
    /// </summary>
    private static readonly TimeSpan s_scriptTimeout = TimeSpan.FromSeconds(60);

    private string? _runDir;
    private string _bridge = "";

    public override string Kind => SwitchKind.OvsAfXdp;

    public override void Start(string name, IReadOnlyList<string> ports)
    {
        _runDir = Path.Combine(Path.GetTempPath(), name);
        _bridge = name;
        string mask = "0x" + (1 << (settings.SwitchCpu ?? 0)).ToString("x", CultureInfo.InvariantCulture);
        ChildProcess.RunChecked(settings.OvsScript, ["start", _runDir, _bridge, mask, .. ports], s_scriptTimeout);
    }

    /// <summary>ovs-vswitchd, from its pidfile in the run directory (ovs.sh); ovsdb-server idles and is left running.</summary>
    public override IReadOnlyList<int> Processes
    {
        get
        {
            string? pidFile = _runDir is null ? null : Path.Combine(_runDir, "ovs-vswitchd.pid");
            return pidFile is not null && File.Exists(pidFile)
                && int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                ? [pid]
                : [];
        }
    }

    public override void FlushFdb() => AppCtl("fdb/flush", _bridge);

    /// <summary>revalidator/wait: every revalidator has run since the call, so no flow cached before a move is left.</summary>
    public override void AwaitLearning() => AppCtl("revalidator/wait");

    /// <summary>An ovs-appctl command to this switch's ovs-vswitchd.</summary>
    private void AppCtl(params string[] command) =>
        ChildProcess.RunChecked("ovs-appctl", ["-t", Path.Combine(_runDir!, "ovs-vswitchd.ctl"), .. command], s_scriptTimeout);

    /// <summary>
    /// tag= and vlan_mode=access for an access port; trunks= and vlan_mode=trunk for a trunk; tag=PVID, trunks= and
    /// vlan_mode=native-untagged for a trunk with a native VLAN (ovs-vswitchd.conf.db(5), Port table).
    /// </summary>
    public override void SetVlans(string port, PortVlanSpec vlans)
    {
        string trunks = string.Join(',', vlans.Tagged.Concat(vlans.Pvid is int native ? [native] : []).Order());
        string[] columns = (vlans.Pvid, vlans.Tagged.Length) switch
        {
            (int pvid, 0) => [$"tag={pvid}", "vlan_mode=access", "trunks=[]"],
            (null, _) => ["tag=[]", "vlan_mode=trunk", $"trunks={trunks}"],
            (int pvid, _) => [$"tag={pvid}", "vlan_mode=native-untagged", $"trunks={trunks}"],
        };
        ChildProcess.RunChecked("ovs-vsctl", [$"--db=unix:{Path.Combine(_runDir!, "db.sock")}", "set", "Port", port, .. columns], s_scriptTimeout);
    }

    public override string Describe() => $"ovs-afxdp bridge {_bridge} in {_runDir}";

    public override string? Stop()
    {
        if (_runDir is null)
        {
            return null;
        }

        ProcessResult? stopped = ChildProcess.TryRun(settings.OvsScript, ["stop", _runDir], s_scriptTimeout);
        if (Directory.Exists(_runDir))
        {
            Directory.Delete(_runDir, recursive: true);
        }
        _runDir = null;
        return stopped is { ExitCode: 0 } ? null : stopped?.ToString() ?? $"{settings.OvsScript} is missing";
    }
}
