// The legacy ethtool ioctl (SIOCETHTOOL with struct ethtool_value) for the few offload switches a
// switch port needs: GRO/LRO off on receive (the lab's send offloads name their own commands).
// EOPNOTSUPP from a device that lacks a feature is reported, not thrown; callers decide.
using System.Runtime.InteropServices;

namespace FastBridge.Datapath.Interop;

internal static unsafe class Ethtool
{
    internal const uint GFlags = 0x25, SFlags = 0x26;
    internal const uint GGro = 0x2b, SGro = 0x2c;

    /// <summary>ETHTOOL_GTSO/STSO: TCP segmentation offload, every TSO feature at once (NETIF_F_ALL_TSO).</summary>
    internal const uint GTso = 0x1e, STso = 0x1f;

    internal const uint EthFlagLro = 1 << 15;

    [StructLayout(LayoutKind.Sequential)]
    internal struct EthtoolValue
    {
        public uint Cmd;
        public uint Data;
    }

    /// <summary>Reads an ethtool_value; returns 0 or the errno.</summary>
    internal static int Get(int controlFd, string ifName, uint command, out uint value)
    {
        var ev = new EthtoolValue { Cmd = command };
        int errno = Run(controlFd, ifName, ref ev);
        value = ev.Data;
        return errno;
    }

    /// <summary>Writes an ethtool_value; returns 0 or the errno.</summary>
    internal static int Set(int controlFd, string ifName, uint command, uint value)
    {
        var ev = new EthtoolValue { Cmd = command, Data = value };
        return Run(controlFd, ifName, ref ev);
    }

    private static int Run(int controlFd, string ifName, ref EthtoolValue ev)
    {
        Netdevice.IfReq request = Netdevice.NewRequest(ifName);
        fixed (EthtoolValue* p = &ev)
        {
            request.Data = p;
            return Netdevice.Ioctl(controlFd, Netdevice.SiocEthtool, ref request);
        }
    }
}
