// Brings a switch up on real interfaces and takes it down again, for `run` and the lab: checks
// every interface before touching any, turns receive offloads off, opens one AF_PACKET socket per
// (poll loop, port), and on Dispose stops the loops, closes the sockets (which ends promiscuous
// membership) and restores the offloads it changed.
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Ports;

namespace FastBridge.ControlPlane;

internal sealed class SwitchRunner : IDisposable
{
    private const int Enodev = 19;

    private readonly List<PortOffloads> _offloads;
    private readonly NetInterfaceInfo[] _interfaces;

    private SwitchRunner(NetInterfaceInfo[] interfaces, List<PortOffloads> offloads, Bridge bridge)
    {
        _interfaces = interfaces;
        _offloads = offloads;
        Bridge = bridge;
    }

    public Bridge Bridge { get; }

    public static SwitchRunner Start(IReadOnlyList<string> portNames, BridgeOptions options, TextWriter? log = null)
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
        try
        {
            foreach (NetInterfaceInfo iface in interfaces)
            {
                offloads.Add(PortOffloads.DisableReceiveOffloads(iface.Name));
            }
            // One fanout group per port when several loops share it; ids are per namespace, so mix in our pid.
            int fanoutBase = Environment.ProcessId * 64;
            var bridge = new Bridge(portNames, options,
                (port, loop) => new AfPacketPort(interfaces[port],
                    new AfPacketOptions(FanoutGroup: options.Workers > 1 ? (ushort)((fanoutBase + port) % 0xFFFF + 1) : (ushort)0)),
                port => InterfaceHealth(interfaces[port]),
                (port, errno) => log.WriteLine($"fastbridge: port {portNames[port]} is down ({ErrnoText(errno)}); " +
                    "its FDB entries are flushed and the other ports keep forwarding"));
            bridge.Start();
            return new SwitchRunner(interfaces, offloads, bridge);
        }
        catch
        {
            RestoreOffloads(offloads);
            throw;
        }
    }

    public void Dispose()
    {
        Bridge.Dispose();
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
