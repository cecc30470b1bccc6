// Every drop has exactly one reason, declared here once: the enum indexes the drop counters and
// its lower-case name is the reason label in stats and metrics.
namespace FastBridge.Datapath.Common;

public enum DropReason
{
    /// <summary>Shorter than an Ethernet header.</summary>
    Runt,

    /// <summary>Source MAC is multicast/broadcast or all-zero: never learned, never forwarded (802.1D).</summary>
    InvalidSource,

    /// <summary>Destination 01:80:C2:00:00:01-0F not opened by the group forward mask.</summary>
    LinkLocal,

    /// <summary>Known unicast whose destination lives behind the ingress port.</summary>
    SamePort,

    /// <summary>Longer than the egress port's MTU allows.</summary>
    TooBig,

    /// <summary>The egress port's transmit ring had no free slot.</summary>
    NoTxRoom,

    /// <summary>The kernel dropped it before we could read it: our receive ring was full.</summary>
    RxRingFull,

    /// <summary>The kernel refused a transmit descriptor and consumed it unsent (AF_XDP tx_invalid_descs; never, unless FastBridge has a bug).</summary>
    TxRefused,

    /// <summary>VLAN-aware mode: the frame's VLAN is not one the ingress (or known-unicast egress) port is a member of, or the port has no PVID for an untagged frame.</summary>
    VlanFiltered,

    /// <summary>Known unicast between two isolated ports (the port flag isolated).</summary>
    Isolated,

    /// <summary>A flooded frame over its ingress port's storm control rate for its class.</summary>
    StormControl,

    /// <summary>Received on a mirror's destination port, which takes no part in forwarding (MirrorTable).</summary>
    MirrorPort,
}

public static class DropReasons
{
    public const int Count = (int)DropReason.MirrorPort + 1;

    private static readonly string[] s_labels = ["runt", "invalid_source", "link_local", "same_port", "too_big", "no_tx_room", "rx_ring_full", "tx_refused", "vlan_filtered", "isolated", "storm_control", "mirror_port"];

    public static string Label(DropReason reason) => s_labels[(int)reason];
}
