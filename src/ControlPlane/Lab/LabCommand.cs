// `fastbridge lab`: the classic Linux bridge walkthrough with FastBridge in the bridge's place.
// `lab up` builds namespaces net1-net3 whose veth peers veth1_p-veth3_p stay in the root namespace
// as switch ports; `lab down` removes them; `lab` alone builds them, runs the switch, pings
// between every pair of hosts, prints what crossed which port and tears everything down.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using FastBridge.ControlPlane.Logging;
using FastBridge.ControlPlane.Metrics;
using FastBridge.ControlPlane.Switch;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Frames;
using FastBridge.Datapath.Hosting;
using Microsoft.Extensions.Logging;

namespace FastBridge.ControlPlane.Lab;

internal static class LabCommand
{
    public static Command Create()
    {
        var up = new Command("up", "Build namespaces net1-net3 and switch ports veth1_p-veth3_p, and leave them.");
        up.SetAction(_ => Guard(() =>
        {
            LabTopology topology = Build();
            Console.Out.WriteLine("lab: up. Switch it with: fastbridge run " + string.Join(" ", topology.Hosts.Select(h => "--port " + h.PortInterface)));
            Console.Out.WriteLine("lab: then try: ip netns exec net1 ping 192.168.0.102; remove it with: fastbridge lab down");
            return 0;
        }));
        var down = new Command("down", "Remove the lab's namespaces and ports.");
        down.SetAction(_ => Guard(() =>
        {
            LabTopology.RemoveClassic();
            Console.Out.WriteLine("lab: down");
            return 0;
        }));
        var lab = new Command("lab", "Build the lab, switch it with FastBridge, ping across it, show what crossed which port, tear it down.")
        {
            up, down,
        };
        lab.SetAction(_ => Guard(RunDemo));
        return lab;
    }

    private static int Guard(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"fastbridge: {e.Message}");
            return 1;
        }
    }

    /// <summary>
    /// The walkthrough's topology, with send offloads off on the host ends as a real NIC peer would have them,
    /// and GRO on there, so the kernel can deliver what the fast path redirects to the switch's ends.
    /// </summary>
    private static LabTopology Build() => LabTopology.Classic(prepareHost: host =>
    {
        LabTopology.DisableHostSendOffloads(host);
        HostGro.Set(host.Namespace, host.HostInterface, on: true);
    });

    private static int RunDemo()
    {
        RequireTool("ping", "iputils-ping");
        using var cancel = new CancellationTokenSource();
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; cancel.Cancel(); });
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cancel.Cancel(); });

        using LabTopology topology = Build();
        string[] ports = topology.Hosts.Select(h => h.PortInterface).ToArray();
        using ILoggerFactory logs = OneLineLoggerProvider.CreateFactory();
        using SwitchHost host = SwitchHost.Start(ports, new DatapathOptions(), log: logs.CreateLogger(DaemonLog.Category), fastPath: FastPathMode.Auto);
        foreach (LabHost lab in topology.Hosts)
        {
            Console.Out.WriteLine($"lab: {lab.Namespace} {lab.HostInterface} {lab.Address} {MacAddress.Format(lab.Mac)} <-> port {lab.PortInterface}, fast-path {host.FastPathOf(lab.PortInterface)}");
        }
        Console.Out.WriteLine($"lab: FastBridge forwarding on {string.Join(", ", ports)}");

        int failed = 0;
        for (int from = 0; from < topology.Hosts.Count && !cancel.IsCancellationRequested; from++)
        {
            for (int to = from + 1; to < topology.Hosts.Count && !cancel.IsCancellationRequested; to++)
            {
                failed += Ping(topology.Hosts[from], topology.Hosts[to]) ? 0 : 1;
            }
        }
        PrintCrossings(new SwitchCommands(host, new DaemonInfo("auto", Socket: null, Http: null, Config: null)));
        Console.Out.WriteLine(failed == 0 ? "lab: every host reached every other through FastBridge" : $"lab: {failed} ping runs failed");
        Console.Out.WriteLine("lab: tearing down");
        return failed == 0 && !cancel.IsCancellationRequested ? 0 : 1;
    }

    private static bool Ping(LabHost from, LabHost to)
    {
        string address = to.Address.Split('/')[0];
        // A ping that fails is a result to print, not an error: started like every lab command, but not through IpCommand.Run, which throws.
        using Process ping = Process.Start(IpCommand.StartInfo("ip", ["netns", "exec", from.Namespace, "ping", "-c", "3", "-i", "0.2", "-W", "2", address]))!;
        ping.StandardInput.Close();
        string output = ping.StandardOutput.ReadToEnd() + ping.StandardError.ReadToEnd();
        ping.WaitForExit();
        string summary = output.Split('\n').FirstOrDefault(l => l.Contains("packets transmitted", StringComparison.Ordinal))?.Trim() ?? output.Trim();
        string rtt = output.Split('\n').FirstOrDefault(l => l.StartsWith("rtt", StringComparison.Ordinal))?.Trim() ?? "";
        Console.Out.WriteLine($"lab: {from.Namespace} -> {to.Namespace} ({address}): {summary}{(rtt.Length > 0 ? "; " + rtt : "")}");
        return ping.ExitCode == 0;
    }

    private static void PrintCrossings(SwitchCommands commands)
    {
        DatapathStats stats = commands.ReadStats();
        Console.Out.WriteLine();
        Console.Out.WriteLine($"{"port",-10} {"rx pkts",8} {"rx bytes",9} {"tx pkts",8} {"tx bytes",9} {"flooded",8} {"dropped",8}");
        foreach (PortStats port in stats.Ports)
        {
            PortCounters c = port.Counters;
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{port.Name,-10} {c.RxPackets,8} {c.RxBytes,9} {c.TxPackets,8} {c.TxBytes,9} {c.Floods,8} {StatsLine.Drops(c),8}"));
        }
        Console.Out.WriteLine();
        Console.Out.WriteLine($"{"mac",-17} {"port",-10} {"age",4}");
        foreach (FdbEntryInfo entry in commands.Fdb(port: null))
        {
            Console.Out.WriteLine($"{entry.Mac,-17} {entry.Port,-10} {entry.AgeSeconds,3}s");
        }
        Console.Out.WriteLine();
    }

    private static void RequireTool(string tool, string package)
    {
        bool found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, tool)));
        if (!found)
        {
            throw new InvalidOperationException($"the lab needs {tool}: apt-get install -y {package} (scripts/setup.sh installs it)");
        }
    }
}
