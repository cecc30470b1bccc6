// What a bridge is built with: workers and their CPUs, ageing, FDB size, link-local forwarding, idle
// mode, the fixed number of port ids it can hand out, and whether it is VLAN-aware. Set once at start; only
// the ageing time (DatapathHost.AgeingTimeSeconds) and VLAN membership (DatapathHost.Vlans.cs) change later.
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Frames;
using FastBridge.Datapath.Xdp;

namespace FastBridge.Datapath.Hosting;

public sealed record DatapathOptions(
    int Workers = 1,
    uint AgeingTimeSeconds = DatapathOptions.DefaultAgeingTimeSeconds,
    int FdbMaxEntries = DatapathOptions.DefaultFdbMaxEntries,
    ushort GroupForwardMask = 0,
    IdleMode Idle = IdleMode.Block,
    bool PinWorkers = true,
    int MaxPorts = DatapathOptions.DefaultMaxPorts,
    int[]? Cpus = null,
    int XdpRingSize = XdpMemory.DefaultRingSize,
    int? UmemFrames = null,
    bool VlanFiltering = false,
    ushort VlanProtocol = VlanTag.CustomerTpid,
    ushort DefaultPvid = VlanMembership.DefaultPvid)
{
    /// <summary>802.1D's and the Linux bridge's default.</summary>
    public const uint DefaultAgeingTimeSeconds = 300;

    public const int DefaultFdbMaxEntries = 65536;

    /// <summary>Port ids a bridge hands out in its life; counters are per id, 128 B x 1024 = 128 KiB per loop.</summary>
    public const int DefaultMaxPorts = 1024;

    /// <summary>Bits 0-2 (STP, pause, slow protocols) can never be opened, as in the Linux bridge (BR_GROUPFWD_RESTRICTED).</summary>
    public const ushort RestrictedGroupForwardBits = 0x0007;
}
