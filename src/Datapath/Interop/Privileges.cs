// What the kernel asks of FastBridge, found by running the daemon under setpriv with fewer
// capabilities on veth pairs (Linux 6.18, 2026-12-02): both backends need CAP_NET_RAW (the AF_PACKET
// and AF_XDP sockets), CAP_NET_ADMIN (promiscuous mode, attaching programs) and CAP_BPF (AF_PACKET's
// tcx ingress drop and AF_XDP's XSKMAP and redirect program: without it bpf() fails EPERM). AF_XDP
// also pins its UMEM, which the kernel charges to the user's RLIMIT_MEMLOCK unless the process has
// CAP_IPC_LOCK (xdp_umem_account_pages): over the limit XDP_UMEM_REG fails ENOBUFS. This file turns
// those refusals into sentences that name what to grant or raise. Set-up code only.
using System.Globalization;
using FastBridge.Datapath.Common;
using Tmds.Linux;

namespace FastBridge.Datapath.Interop;

internal static unsafe class Privileges
{
    // Capability numbers (linux/capability.h).
    internal const int CapNetAdmin = 12, CapNetRaw = 13, CapIpcLock = 14, CapSysAdmin = 21, CapBpf = 39;

    /// <summary>What a unit file grants so that every backend works.</summary>
    internal const string Grant = "run as root or grant them, e.g. AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN CAP_BPF";

    /// <summary>The effective capability set from /proc/self/status (CapEff, hex).</summary>
    internal static ulong Effective()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("CapEff:", StringComparison.Ordinal))
            {
                return ulong.Parse(line.AsSpan(7).Trim(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            }
        }
        throw new PrivilegeException("cannot read CapEff from /proc/self/status");
    }

    internal static bool Has(int capability) => (Effective() & (1UL << capability)) != 0;

    /// <summary>
    /// Throws naming every capability the switch needs and lacks. CAP_SYS_ADMIN stands in for CAP_BPF,
    /// as the kernel lets it (and kernels before 5.8 know no CAP_BPF).
    /// </summary>
    internal static void Require()
    {
        var missing = new List<string>();
        if (!Has(CapNetRaw))
        {
            missing.Add("CAP_NET_RAW");
        }
        if (!Has(CapNetAdmin))
        {
            missing.Add("CAP_NET_ADMIN");
        }
        if (!Has(CapBpf) && !Has(CapSysAdmin))
        {
            missing.Add("CAP_BPF");
        }
        if (missing.Count > 0)
        {
            throw new PrivilegeException($"fastbridge needs {string.Join(" and ", missing)} ({Grant})");
        }
    }

    /// <summary>For an errno from bpf(): on EPERM, what the kernel wants; otherwise nothing.</summary>
    internal static string BpfHint(int errno) => errno == LibC.EPERM
        ? $"; BPF maps and programs need CAP_BPF (and CAP_NET_ADMIN to attach them){Lacking(CapBpf, CapNetAdmin)}; {Grant}"
        : "";

    /// <summary>For an errno from socket(AF_PACKET or AF_XDP): on EPERM, what the kernel wants; otherwise nothing.</summary>
    internal static string RawSocketHint(int errno) => errno == LibC.EPERM
        ? $"; raw sockets need CAP_NET_RAW{Lacking(CapNetRaw)}; {Grant}"
        : "";

    /// <summary>
    /// For an errno from XDP_UMEM_REG: on ENOBUFS or ENOMEM, that the UMEM of <paramref name="umemBytes"/>
    /// did not fit RLIMIT_MEMLOCK and what to raise it to; otherwise nothing.
    /// </summary>
    internal static string MemlockHint(int errno, ulong umemBytes)
    {
        if (errno != LibC.ENOBUFS && errno != LibC.ENOMEM)
        {
            return "";
        }
        LibcExtras.Rlimit limit;
        string now = LibcExtras.getrlimit(LibcExtras.RlimitMemlock, &limit) != 0 ? "unknown"
            : limit.Current == LibcExtras.RlimInfinity ? "unlimited" : $"{limit.Current >> 10} KiB";
        ulong kib = (umemBytes + 1023) >> 10;
        return string.Create(CultureInfo.InvariantCulture,
            $"; the kernel pins this UMEM ({kib} KiB) against RLIMIT_MEMLOCK (now {now}, shared by every UMEM of the user, one per worker): " +
            $"raise it to at least {kib} KiB per worker (ulimit -l {kib}; systemd LimitMEMLOCK={kib}K; or grant CAP_IPC_LOCK), or lower --umem-frames");
    }

    /// <summary>" (this process lacks CAP_X)" for those of <paramref name="capabilities"/> not effective, or "".</summary>
    private static string Lacking(params int[] capabilities)
    {
        string[] names = capabilities.Where(c => !Has(c)).Select(Name).ToArray();
        return names.Length == 0 ? "" : $" (this process lacks {string.Join(" and ", names)})";
    }

    private static string Name(int capability) => capability switch
    {
        CapNetAdmin => "CAP_NET_ADMIN",
        CapNetRaw => "CAP_NET_RAW",
        CapIpcLock => "CAP_IPC_LOCK",
        CapSysAdmin => "CAP_SYS_ADMIN",
        _ => "CAP_BPF",
    };
}
