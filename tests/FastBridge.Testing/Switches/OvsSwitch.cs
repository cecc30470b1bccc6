// Open vSwitch's userspace datapath with afxdp ports as the switch under test (bench/e2e/ovs.sh starts
// and stops it in a run directory of its own), its PMD thread on the switch CPU.
using System.Globalization;
using FastBridge.Testing.Processes;

namespace FastBridge.Testing.Switches;

internal sealed class OvsSwitch(SwitchSettings settings) : SwitchUnderTest
{
    /// <summary>ovs.sh starts a database and a daemon and adds the ports; seconds when healthy.</summary>
    private static readonly TimeSpan s_scriptTimeout = TimeSpan.FromSeconds(20);

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

    public override void FlushFdb() =>
        ChildProcess.RunChecked("ovs-appctl", ["-t", Path.Combine(_runDir!, "ovs-vswitchd.ctl"), "fdb/flush", _bridge], s_scriptTimeout);

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
