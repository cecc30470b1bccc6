// What the switch knows of a network interface when it takes it as a port: read by
// Ports/NetInterface (ioctls) and kept fresh by the link monitor (rtnetlink). A plain value, any thread.
namespace FastBridge.Datapath.Common;

/// <param name="IsUp">Administratively up (IFF_UP).</param>
/// <param name="IsRunning">Operationally up (IFF_RUNNING): up with carrier, the state a Linux bridge port forwards in.</param>
public sealed record NetInterfaceInfo(string Name, int IfIndex, int Mtu, ulong Mac, bool IsUp, bool IsRunning = false);
