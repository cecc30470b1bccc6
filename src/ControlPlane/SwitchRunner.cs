// Brings a switch up on real interfaces and takes it down again, for `run` and the lab: checks
// every interface before touching any, turns receive offloads off, chooses each port's backend
// (PortBackends), opens one handle per (poll loop, port), and on Dispose stops the loops, closes
// the handles (which ends promiscuous membership), detaches XDP programs and restores the offloads
// it changed.
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Ports;
using FastBridge.Datapath.Xdp;

namespace FastBridge.ControlPlane;

internal sealed class SwitchRunner : IDisposable
{
    private const int Enodev = 19;

    private readonly List<PortOffloads> _offloads;
    private readonly PortBackends _backends;

    private SwitchRunner(List<PortOffloads> offloads, PortBackends backends, Bridge bridge)
    {
        _offloads = offloads;
        _backends = backends;
        Bridge = bridge;
    }

    public Bridge Bridge { get; }

    /// <param name="log">Where trouble while running is reported (a port going down); stderr by default.</param>
    public static SwitchRunner Start(IReadOnlyList<string> portNames, BridgeOptions options,
        BackendKind backend = BackendKind.Auto, XdpAttachMode xdpMode = XdpAttachMode.Auto, TextWriter? log = null)
    {
        log ??= Console.Error;
        string? twice = portNames.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (twice is not null)
        {
            throw new ArgumentException($"port {twice} is named twice");
        }
        NetInterface.RequirePrivileges();
        NetInterfaceInfo[] interfaces = portNames.Select(NetInterface.Inspect).ToArray();

        var offloads = new List<PortOffloads>();
        var backends = new PortBackends(backend, xdpMode, options.Workers);
        try
        {
            foreach (NetInterfaceInfo iface in interfaces)
            {
                offloads.Add(PortOffloads.DisableReceiveOffloads(iface.Name));
                Console.Out.WriteLine($"fastbridge: port {iface.Name}: {backends.Prepare(iface)}");
            }
            var bridge = new Bridge(portNames, options,
                (port, loop) => backends.Open(interfaces[port], port, loop),
                port => InterfaceHealth(interfaces[port]),
                (port, errno) => log.WriteLine($"fastbridge: port {portNames[port]} is down ({ErrnoText(errno)}); " +
                    "its FDB entries are flushed and the other ports keep forwarding"));
            bridge.Start();
            return new SwitchRunner(offloads, backends, bridge);
        }
        catch
        {
            backends.Dispose();
            RestoreOffloads(offloads);
            throw;
        }
    }

    public void Dispose()
    {
        Bridge.Dispose();
        _backends.Dispose();
        RestoreOffloads(_offloads);
    }

    /// <summary>0 while the interface exists with the index it had at start, else ENODEV.</summary>
    private static int InterfaceHealth(NetInterfaceInfo iface)
    {
        try
        {
            string index = File.ReadAllText($"/sys/class/net/{iface.Name}/ifindex").Trim();
            return index == iface.IfIndex.ToString(System.Globalization.CultureInfo.InvariantCulture) ? 0 : Enodev;
        }
        catch (IOException)
        {
            return Enodev;
        }
    }

    private static string ErrnoText(int errno) => errno switch
    {
        0 => "taken down",
        Enodev => "interface vanished",
        100 => "ENETDOWN: interface set down",
        _ => $"errno {errno}",
    };

    private static void RestoreOffloads(List<PortOffloads> offloads)
    {
        foreach (PortOffloads offload in offloads)
        {
            try
            {
                offload.Dispose();
            }
            catch (Exception e) when (e is IOException or InvalidOperationException)
            {
                // The interface may have vanished while we ran: nothing left to restore.
                Console.Error.WriteLine($"fastbridge: {e.Message}");
            }
        }
    }
}
