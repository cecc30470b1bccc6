// `fastbridge run` as a process: what it refuses at start-up and how it leaves the ports when it
// stops. FastBridge only; the Linux bridge has no such contract. Interfaces are made per run.
using System.Globalization;
using System.Text.RegularExpressions;
using FastBridge.ControlPlane.Lab;
using FastBridge.Datapath.Ports;
using FastBridge.Datapath.Xdp;

namespace FastBridge.Tests.Integration;

[Collection(IntegrationCollection.Name)]
public sealed class FastBridgeRunTests
{
    private const int IffPromisc = 0x100;

    /// <summary>Refusing a port is a start-up check; 15 s covers the runtime starting on a busy 2-core box.</summary>
    private static readonly TimeSpan s_refusalTimeout = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData("nonexistent")]
    [InlineData("loopback")]
    [InlineData("duplicate")]
    [InlineData("enslaved")]
    public void Run_RefusedInterface_PrintsOneLineAndExitsNonZero(string refusal)
    {
        string runId = SwitchLab.NewRunId();
        using LabTopology lab = LabTopology.Create(SwitchLab.HostSpecs(runId, 3), LabTopology.DisableHostSendOffloads);
        string p1 = lab.Hosts[0].PortInterface;
        string p2 = lab.Hosts[1].PortInterface;
        string p3 = lab.Hosts[2].PortInterface;
        using var bridge = refusal == "enslaved" ? new LinuxBridgeSwitch(new SwitchSettings { AgeingSeconds = SwitchLab.DefaultAgeingSeconds }) : null;
        bridge?.Start($"fbt{runId}bx", [p2]);

        (string[] Ports, string Refused) setup = refusal switch
        {
            "nonexistent" => ([p1, $"fbt{runId}zz", p3], $"fbt{runId}zz"),
            "loopback" => ([p1, "lo", p3], "lo"),
            "duplicate" => ([p1, p3, p1], p1),
            "enslaved" => ([p1, p2, p3], p2),
            _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal, null),
        };
        (string[] ports, string refused) = setup;
        string[] ours = [p1, p2, p3];
        Dictionary<string, int> before = ours.ToDictionary(p => p, Flags);

        using FastBridgeDaemon fastBridge = FastBridgeDaemon.LaunchRun(FastBridgeSwitch.Arguments(ports, SwitchLab.DefaultAgeingSeconds));
        ChildProcess process = fastBridge.Process;
        if (!process.WaitForExit(s_refusalTimeout))
        {
            process.Terminate(TimeSpan.FromSeconds(5));
            Assert.Fail($"fastbridge was still running {s_refusalTimeout.TotalSeconds} s after being given {refusal} port '{refused}'; it should refuse it at start-up\n{process.Output()}");
        }

        ProcessResult result = process.Result();
        Assert.True(result.ExitCode != 0, $"fastbridge accepted {refusal} port '{refused}' (exit 0)\n{result}");
        string[] errorLines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(errorLines.Length == 1, $"expected exactly one line on stderr naming why '{refused}' was refused\n{result}");
        Assert.True(Regex.IsMatch(errorLines[0], $@"(?<![\w.-]){Regex.Escape(refused)}(?![\w.-])"),
            $"the stderr line does not name the refused interface '{refused}'\n{result}");

        foreach (string port in ours)
        {
            int after = Flags(port);
            Assert.True(before[port] == after,
                $"{port} flags changed from 0x{before[port]:x} to 0x{after:x} although fastbridge refused to start\n{result}");
            // A Linux bridge port is promiscuous by the bridge's doing; unchanged flags are the check there.
            bool bridgePort = refusal == "enslaved" && port == p2;
            Assert.True(bridgePort || (after & IffPromisc) == 0, $"{port} was left promiscuous (flags 0x{after:x})\n{result}");
        }

        if (refusal == "enslaved")
        {
            Assert.True(Directory.Exists($"/sys/class/net/{p2}/brport"), $"{p2} is no longer a Linux bridge port\n{result}");
        }
    }

    [Fact]
    public void Run_Sigterm_ExitsZeroAndLeavesPortsNotPromiscuous()
    {
        using LabTopology lab = LabTopology.Create(SwitchLab.HostSpecs(SwitchLab.NewRunId(), 3), LabTopology.DisableHostSendOffloads);
        string[] ports = [.. lab.Hosts.Select(h => h.PortInterface)];
        foreach (string port in ports)
        {
            Assert.True((Flags(port) & IffPromisc) == 0, $"{port} is promiscuous before fastbridge started (flags 0x{Flags(port):x})");
        }

        using FastBridgeSwitch fastBridge = FastBridgeSwitch.Start(ports, SwitchLab.DefaultAgeingSeconds);
        int pid = fastBridge.Pid;
        string output = fastBridge.Describe();
        string? problem = fastBridge.Stop();
        Assert.True(problem is null, problem);
        Assert.False(ChildProcess.SendSignal(pid, 0), $"fastbridge (pid {pid}) is still there after exiting\n{output}");
        foreach (string port in ports)
        {
            int flags = Flags(port);
            Assert.True((flags & IffPromisc) == 0, $"{port} is still promiscuous after fastbridge stopped (flags 0x{flags:x})\n{fastBridge.Describe()}");
        }
    }

    [Fact]
    public void Run_PortVanishes_IsReportedAndTheOtherPortsKeepForwarding()
    {
        using LabTopology lab = LabTopology.Create(SwitchLab.HostSpecs(SwitchLab.NewRunId(), 3), LabTopology.DisableHostSendOffloads);
        string[] ports = [.. lab.Hosts.Select(h => h.PortInterface)];
        using FastBridgeSwitch fastBridge = FastBridgeSwitch.Start(ports, SwitchLab.DefaultAgeingSeconds);
        AssertPings(lab.Hosts[0], lab.Hosts[1], fastBridge);

        ChildProcess.RunChecked(Tools.Ip, ["link", "del", ports[2]], TimeSpan.FromSeconds(10));

        Assert.True(fastBridge.WaitForStderr($"port {ports[2]} is down", TimeSpan.FromSeconds(10)),
            $"fastbridge did not report that {ports[2]} vanished\n{fastBridge.Describe()}");
        AssertPings(lab.Hosts[0], lab.Hosts[1], fastBridge);
        string? problem = fastBridge.Stop();
        Assert.True(problem is null, problem);
    }

    [Fact]
    public void Run_MixedBackends_AfXdpAndAfPacketPortsForwardToEachOther()
    {
        // Two receive queues for one poll loop make auto choose AF_PACKET for that port only.
        IReadOnlyList<LabHost> specs = SwitchLab.HostSpecs(SwitchLab.NewRunId(), 2);
        using LabTopology lab = LabTopology.Create([specs[0], specs[1] with { Queues = 2 }], LabTopology.DisableHostSendOffloads);
        string[] ports = [.. lab.Hosts.Select(h => h.PortInterface)];

        using FastBridgeSwitch fastBridge = FastBridgeSwitch.Start(ports, SwitchLab.DefaultAgeingSeconds);
        string output = fastBridge.Describe();
        Assert.Contains($"port {ports[0]}: afxdp", output);
        Assert.Contains($"port {ports[1]}: afpacket (2 receive queue(s) for 1 worker(s)", output);
        AssertPings(lab.Hosts[0], lab.Hosts[1], fastBridge);
        AssertPings(lab.Hosts[1], lab.Hosts[0], fastBridge);
        string? problem = fastBridge.Stop();
        Assert.True(problem is null, problem);
    }

    [Theory]
    [InlineData("afxdp")]
    [InlineData("afpacket")]
    public void Run_KilledWithSigkill_LeavesNoProgramAndTheStackWorksAgain(string backend)
    {
        using LabTopology lab = LabTopology.Create(SwitchLab.HostSpecs(SwitchLab.NewRunId(), 2), LabTopology.DisableHostSendOffloads);
        string[] ports = [.. lab.Hosts.Select(h => h.PortInterface)];
        string stack = AddStackAddress(lab.Hosts[0]);
        using FastBridgeSwitch fastBridge = FastBridgeSwitch.Start(ports, SwitchLab.DefaultAgeingSeconds, backend: backend);
        if (backend == "afxdp")
        {
            Assert.All(ports, port => Assert.True(HasXdpProgram(port), $"{port} has no XDP program while fastbridge runs"));
        }
        Assert.False(StackAnswers(lab.Hosts[0], stack), $"the host stack on {ports[0]} answered while fastbridge switched the port\n{fastBridge.Describe()}");

        Assert.True(ChildProcess.SendSignal(fastBridge.Pid, 9), "could not SIGKILL fastbridge");
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        // The kernel closes a killed process's descriptors as it tears it down, not by the time kill(2) returns.
        while (ports.Any(port => HasXdpProgram(port) || (Flags(port) & IffPromisc) != 0) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(50);
        }
        Assert.All(ports, port => Assert.False(HasXdpProgram(port), $"{port} still carries an XDP program after kill -9"));
        Assert.All(ports, port => Assert.True((Flags(port) & IffPromisc) == 0, $"{port} is still promiscuous after kill -9"));
        // The kernel let go of the tcx program and the XDP program with the process: the host stack owns the port again.
        Assert.True(StackAnswers(lab.Hosts[0], stack), $"the host stack on {ports[0]} does not answer after kill -9");
    }

    [Fact]
    public void Run_AfPacketPort_HostStackLeavesSwitchedFramesAloneUntilStopped()
    {
        using LabTopology lab = LabTopology.Create(SwitchLab.HostSpecs(SwitchLab.NewRunId(), 2), LabTopology.DisableHostSendOffloads);
        string[] ports = [.. lab.Hosts.Select(h => h.PortInterface)];
        string stack = AddStackAddress(lab.Hosts[0]);
        Assert.True(StackAnswers(lab.Hosts[0], stack), "the host stack does not answer before fastbridge starts");

        using FastBridgeSwitch fastBridge = FastBridgeSwitch.Start(ports, SwitchLab.DefaultAgeingSeconds, backend: "afpacket");
        Assert.Contains("host stack bypassed at tcx ingress", fastBridge.Describe());
        AssertPings(lab.Hosts[0], lab.Hosts[1], fastBridge);
        Assert.False(StackAnswers(lab.Hosts[0], stack), $"the host stack on {ports[0]} answered a switched frame\n{fastBridge.Describe()}");

        string? problem = fastBridge.Stop();
        Assert.True(problem is null, problem);
        Assert.True(StackAnswers(lab.Hosts[0], stack), "the host stack does not answer after fastbridge stopped");
    }

    /// <summary>Gives the root-side port of <paramref name="host"/> an address on its subnet (x.254); returns it.</summary>
    private static string AddStackAddress(LabHost host)
    {
        string address = host.Address.Split('/')[0];
        string stack = address[..address.LastIndexOf('.')] + ".254";
        ChildProcess.RunChecked(Tools.Ip, ["addr", "add", stack + "/24", "dev", host.PortInterface], TimeSpan.FromSeconds(10));
        return stack;
    }

    private static bool StackAnswers(LabHost from, string address) =>
        ChildProcess.Run(Tools.Ip, ["netns", "exec", from.Namespace, Tools.Ping, "-c", "2", "-W", "1", "-i", "0.2", address], TimeSpan.FromSeconds(20)).ExitCode == 0;

    [Theory]
    [InlineData("afxdp")]
    [InlineData("auto")]
    public void Run_InterfaceWithForeignXdpProgram_IsRefusedAndLeftAttached(string backend)
    {
        using LabTopology lab = LabTopology.Create(SwitchLab.HostSpecs(SwitchLab.NewRunId(), 2), LabTopology.DisableHostSendOffloads);
        string[] ports = [.. lab.Hosts.Select(h => h.PortInterface)];
        using XdpAttachment foreign = XdpAttachment.Attach(NetInterface.Inspect(ports[1]), XdpAttachMode.Native);

        using FastBridgeDaemon fastBridge = FastBridgeDaemon.LaunchRun(FastBridgeSwitch.Arguments(ports, SwitchLab.DefaultAgeingSeconds, backend: backend));
        ChildProcess process = fastBridge.Process;
        Assert.True(process.WaitForExit(s_refusalTimeout), $"fastbridge kept running beside a foreign XDP program\n{process.Output()}");
        ProcessResult result = process.Result();
        Assert.NotEqual(0, result.ExitCode);
        string[] errorLines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(errorLines.Length == 1 && errorLines[0].Contains(ports[1], StringComparison.Ordinal) && errorLines[0].Contains("XDP program", StringComparison.Ordinal),
            $"expected one line naming {ports[1]} and its XDP program\n{result}");
        Assert.True(HasXdpProgram(ports[1]), $"{ports[1]} lost the program it had");
        Assert.False(HasXdpProgram(ports[0]), $"{ports[0]} was left with an XDP program although fastbridge refused to start");
    }

    private static bool HasXdpProgram(string ifName) =>
        ChildProcess.RunChecked(Tools.Ip, ["-d", "link", "show", "dev", ifName], TimeSpan.FromSeconds(10)).Stdout.Contains("prog/xdp", StringComparison.Ordinal);

    private static void AssertPings(LabHost from, LabHost to, FastBridgeSwitch fastBridge)
    {
        ProcessResult result = ChildProcess.Run(Tools.Ip,
            ["netns", "exec", from.Namespace, Tools.Ping, "-c", "3", "-W", "2", "-i", "0.2", to.Address.Split('/')[0]], TimeSpan.FromSeconds(20));
        Assert.True(result.ExitCode == 0, $"{from.Namespace} could not ping {to.Address}:\n{result}\n{fastBridge.Describe()}");
    }

    private static int Flags(string ifName) =>
        int.Parse(File.ReadAllText($"/sys/class/net/{ifName}/flags").Trim().AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    [Fact]
    public void Run_WithCpus_PinsPollLoopThereAndEveryOtherThreadElsewhere()
    {
        int[] allowed = FastBridge.Datapath.Interop.CpuAffinity.Allowed();
        Assert.True(allowed.Length >= 2, "this test needs two CPUs, one for the poll loop and one for the rest");
        int pollCpu = allowed[^1];
        string runId = SwitchLab.NewRunId();
        using LabTopology lab = LabTopology.Create(SwitchLab.HostSpecs(runId, 2), LabTopology.DisableHostSendOffloads);
        List<string> args = FastBridgeSwitch.Arguments(lab.Hosts.Select(h => h.PortInterface), SwitchLab.DefaultAgeingSeconds);
        args.AddRange(["--cpus", pollCpu.ToString(CultureInfo.InvariantCulture)]);
        using FastBridgeDaemon fastBridge = FastBridgeDaemon.LaunchRun(args);
        ChildProcess process = fastBridge.Process;
        Assert.True(process.WaitForLine(FastBridgeDaemon.ReadyMarker, TimeSpan.FromSeconds(15)), process.Output());

        var threads = Directory.GetDirectories($"/proc/{process.Pid}/task").Select(task => (
            Name: File.ReadAllText(Path.Combine(task, "comm")).Trim(),
            Cpus: File.ReadLines(Path.Combine(task, "status")).Single(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal)).Split(':')[1].Trim()))
            .ToList();
        process.Terminate(TimeSpan.FromSeconds(5));

        string expected = pollCpu.ToString(CultureInfo.InvariantCulture);
        Assert.Contains(threads, t => t.Name == "fastbridge-poll" && t.Cpus == expected);
        foreach ((string name, string cpus) in threads.Where(t => !t.Name.StartsWith("fastbridge-poll", StringComparison.Ordinal)))
        {
            Assert.True(FastBridge.Datapath.Interop.CpuAffinity.TryParseList(cpus, out int[] list, out _) && !list.Contains(pollCpu),
                $"thread {name} may run on {cpus}, which includes the poll loop's CPU {pollCpu}");
        }
    }
}
