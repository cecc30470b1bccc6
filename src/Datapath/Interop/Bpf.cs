// The bpf(2) syscall without libbpf: one typed wrapper per command FastBridge uses, and explicit-layout
// mirrors of the members of union bpf_attr they fill (linux/bpf.h). The kernel takes a prefix of the union
// (the size we pass) and treats the rest as zero, so each mirror only has to cover its own command.
// Set-up code only (the XDP loader); nothing here runs on a poll thread. Pinned by BpfLayoutTests.
using System.Runtime.InteropServices;
using System.Text;
using Tmds.Linux;

namespace FastBridge.Datapath.Interop;

internal static unsafe partial class Bpf
{
    // Commands (enum bpf_cmd).
    internal const int MapCreate = 0, MapUpdateElem = 2, MapDeleteElem = 3, ProgLoad = 5;
    internal const int ProgTestRun = 10, ObjGetInfoByFd = 15, LinkCreate = 28;

    internal const uint MapTypeXskmap = 17;   // BPF_MAP_TYPE_XSKMAP
    internal const uint ProgTypeXdp = 6;      // BPF_PROG_TYPE_XDP
    internal const uint AttachTypeXdp = 37;   // BPF_XDP (enum bpf_attach_type)
    internal const uint ProgTypeSchedCls = 3; // BPF_PROG_TYPE_SCHED_CLS
    // BPF_TCX_INGRESS: kernel 6.6+, newer than the installed uapi headers (Debian's 6.1), so it is
    // pinned by counting the kernel's enum bpf_attach_type: BPF_XDP 37 ... BPF_NETFILTER 45, BPF_TCX_INGRESS 46.
    internal const uint AttachTypeTcxIngress = 46;
    internal const ulong Any = 0;             // BPF_ANY: create or update a map element

    /// <summary>BPF_F_XDP_HAS_FRAGS (prog_flags): the XDP program copes with frames in several buffers (kernel 5.18+).</summary>
    internal const uint ProgFlagXdpHasFrags = 1 << 5;

    // XDP attach flags (linux/if_link.h).
    internal const uint XdpFlagsSkbMode = 1 << 1, XdpFlagsDrvMode = 1 << 2;

    // XDP actions (enum xdp_action).
    internal const int XdpAborted = 0, XdpDrop = 1, XdpPass = 2, XdpRedirect = 4;

    /// <summary>offsetof(struct xdp_md, rx_queue_index): the program's context field read by ctx->rx_queue_index.</summary>
    internal const short XdpMdRxQueueIndex = 16;

    /// <summary>BPF_FUNC_redirect_map: long bpf_redirect_map(map, key, flags); the low bits of flags are the action when the key is empty.</summary>
    internal const int FuncRedirectMap = 51;

    /// <summary>src_reg of a ld_imm64 whose immediate is a map fd the verifier replaces with the map.</summary>
    internal const byte PseudoMapFd = 1;

    /// <summary>BPF_PSEUDO_MAP_VALUE: a ld_imm64 that loads the address of a single-entry array's value plus an offset.</summary>
    internal const byte PseudoMapValue = 2;

    internal const int ObjNameLength = 16;

    /// <summary>SYS_bpf: 321 on x86_64, 280 on the generic syscall table (arm64). Ours: Tmds.LibC 0.5.0 has syscall() but no SYS_bpf, and no bpf_attr.</summary>
    internal static int SysBpf => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 321 : 280;


    [StructLayout(LayoutKind.Explicit, Size = 72)]
    internal struct MapCreateAttr
    {
        [FieldOffset(0)] public uint MapType;
        [FieldOffset(4)] public uint KeySize;
        [FieldOffset(8)] public uint ValueSize;
        [FieldOffset(12)] public uint MaxEntries;
        [FieldOffset(16)] public uint MapFlags;
        [FieldOffset(28)] public fixed byte MapName[ObjNameLength];
    }

    [StructLayout(LayoutKind.Explicit, Size = 32)]
    internal struct MapElemAttr
    {
        [FieldOffset(0)] public uint MapFd;
        [FieldOffset(8)] public ulong Key;
        [FieldOffset(16)] public ulong Value;
        [FieldOffset(24)] public ulong Flags;
    }

    [StructLayout(LayoutKind.Explicit, Size = 72)]
    internal struct ProgLoadAttr
    {
        [FieldOffset(0)] public uint ProgType;
        [FieldOffset(4)] public uint InsnCnt;
        [FieldOffset(8)] public ulong Insns;
        [FieldOffset(16)] public ulong License;
        [FieldOffset(24)] public uint LogLevel;
        [FieldOffset(28)] public uint LogSize;
        [FieldOffset(32)] public ulong LogBuf;
        [FieldOffset(40)] public uint KernVersion;
        [FieldOffset(44)] public uint ProgFlags;
        [FieldOffset(48)] public fixed byte ProgName[ObjNameLength];
        [FieldOffset(64)] public uint ProgIfindex;
        [FieldOffset(68)] public uint ExpectedAttachType;
    }

    [StructLayout(LayoutKind.Explicit, Size = 16)]
    internal struct LinkCreateAttr
    {
        [FieldOffset(0)] public uint ProgFd;
        [FieldOffset(4)] public uint TargetIfindex;
        [FieldOffset(8)] public uint AttachType;
        [FieldOffset(12)] public uint Flags;
    }

    /// <summary>The test member of union bpf_attr (BPF_PROG_TEST_RUN), up to ctx_out.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    internal struct TestRunAttr
    {
        [FieldOffset(0)] public uint ProgFd;
        [FieldOffset(4)] public uint Retval;
        [FieldOffset(8)] public uint DataSizeIn;
        [FieldOffset(12)] public uint DataSizeOut;
        [FieldOffset(16)] public ulong DataIn;
        [FieldOffset(24)] public ulong DataOut;
        [FieldOffset(32)] public uint Repeat;
        [FieldOffset(36)] public uint Duration;
        [FieldOffset(40)] public uint CtxSizeIn;
        [FieldOffset(44)] public uint CtxSizeOut;
        [FieldOffset(48)] public ulong CtxIn;
        [FieldOffset(56)] public ulong CtxOut;
    }

    [StructLayout(LayoutKind.Explicit, Size = 16)]
    internal struct InfoByFdAttr
    {
        [FieldOffset(0)] public uint BpfFd;
        [FieldOffset(4)] public uint InfoLen;
        [FieldOffset(8)] public ulong Info;
    }

    /// <summary>The head of struct bpf_prog_info: enough for the type and the kernel's id of a program.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    internal struct ProgInfoHead
    {
        [FieldOffset(0)] public uint Type;
        [FieldOffset(4)] public uint Id;
    }

    /// <summary>bpf(cmd, attr, size); the result or -errno.</summary>
    private static int Call<T>(int cmd, T* attr) where T : unmanaged
    {
        long result = (ssize_t)LibC.syscall(SysBpf, cmd, attr, sizeof(T));
        return result < 0 ? -Marshal.GetLastPInvokeError() : (int)result;
    }

    /// <summary>An XSKMAP of <paramref name="maxEntries"/> slots keyed by queue index; the map fd or -errno.</summary>
    internal static int CreateXskMap(uint maxEntries, string name)
    {
        var attr = new MapCreateAttr { MapType = MapTypeXskmap, KeySize = 4, ValueSize = 4, MaxEntries = maxEntries };
        CopyName(name, attr.MapName);
        return Call(MapCreate, &attr);
    }

    /// <summary>map[key] = value (both u32); 0 or -errno.</summary>
    internal static int UpdateElem(int mapFd, uint key, uint value)
    {
        var attr = new MapElemAttr { MapFd = (uint)mapFd, Key = (ulong)&key, Value = (ulong)&value, Flags = Any };
        return Call(MapUpdateElem, &attr);
    }

    /// <summary>delete map[key]; 0 or -errno.</summary>
    internal static int DeleteElem(int mapFd, uint key)
    {
        var attr = new MapElemAttr { MapFd = (uint)mapFd, Key = (ulong)&key };
        return Call(MapDeleteElem, &attr);
    }

    /// <summary>
    /// Loads an XDP program under the GPL (bpf_redirect_map is GPL-only), frags-aware when <paramref name="hasFrags"/>
    /// (BPF_F_XDP_HAS_FRAGS). Returns the program fd or -errno; when the verifier refuses it, <paramref name="verifierLog"/> holds its log.
    /// </summary>
    internal static int LoadXdpProgram(ReadOnlySpan<ulong> instructions, string name, out string verifierLog, bool hasFrags = false) =>
        LoadProgram(ProgTypeXdp, AttachTypeXdp, instructions, name, out verifierLog, hasFrags ? ProgFlagXdpHasFrags : 0);

    /// <summary>Loads a program of any type under the GPL; the program fd or -errno, with the verifier's log on refusal.</summary>
    internal static int LoadProgram(uint progType, uint expectedAttachType, ReadOnlySpan<ulong> instructions, string name, out string verifierLog, uint progFlags = 0)
    {
        const int LogSize = 64 * 1024;
        byte[] license = "GPL\0"u8.ToArray();
        byte[] log = new byte[LogSize];
        fixed (ulong* insns = instructions)
        fixed (byte* licensePtr = license)
        fixed (byte* logPtr = log)
        {
            var attr = new ProgLoadAttr
            {
                ProgType = progType,
                InsnCnt = (uint)instructions.Length,
                Insns = (ulong)insns,
                License = (ulong)licensePtr,
                ProgFlags = progFlags,
                ExpectedAttachType = expectedAttachType,
            };
            CopyName(name, attr.ProgName);
            int fd = Call(ProgLoad, &attr);
            verifierLog = "";
            if (fd == -LibC.EINVAL || fd == -LibC.EACCES)
            {
                // Load again with the log on: a first try without it is the fast path, and the log only matters on refusal.
                attr.LogLevel = 1;
                attr.LogSize = LogSize;
                attr.LogBuf = (ulong)logPtr;
                fd = Call(ProgLoad, &attr);
                int end = Array.IndexOf(log, (byte)0);
                verifierLog = Encoding.UTF8.GetString(log, 0, end < 0 ? LogSize : end).Trim();
            }
            return fd;
        }
    }

    /// <summary>Attaches an XDP program to an interface through a BPF link; the link fd or -errno.</summary>
    internal static int CreateXdpLink(int progFd, int ifIndex, uint xdpFlags) => CreateLink(progFd, ifIndex, AttachTypeXdp, xdpFlags);

    /// <summary>Attaches a program to an interface hook through a BPF link; the link fd or -errno.</summary>
    internal static int CreateLink(int progFd, int ifIndex, uint attachType, uint flags)
    {
        var attr = new LinkCreateAttr { ProgFd = (uint)progFd, TargetIfindex = (uint)ifIndex, AttachType = attachType, Flags = flags };
        return Call(LinkCreate, &attr);
    }

    /// <summary>
    /// Runs an XDP program <paramref name="repeat"/> times on <paramref name="frame"/> as if it arrived on
    /// <paramref name="ifIndex"/> (in this network namespace), queue 0; 0 and the program's verdict, or -errno. What it
    /// would redirect is not sent. For benchmarks of the programs themselves.
    /// </summary>
    internal static int TestRunXdp(int progFd, ReadOnlySpan<byte> frame, int ifIndex, uint repeat, out uint verdict)
    {
        // struct xdp_md: data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex.
        uint* ctx = stackalloc uint[6];
        new Span<uint>(ctx, 6).Clear();
        ctx[1] = (uint)frame.Length;
        ctx[3] = (uint)ifIndex;
        fixed (byte* data = frame)
        {
            var attr = new TestRunAttr
            {
                ProgFd = (uint)progFd, DataSizeIn = (uint)frame.Length, DataIn = (ulong)data, Repeat = repeat,
                CtxSizeIn = 6 * sizeof(uint), CtxIn = (ulong)ctx,
            };
            int result = Call(ProgTestRun, &attr);
            verdict = attr.Retval;
            return result;
        }
    }

    /// <summary>The kernel's id of a loaded program (as `ip link` and bpftool show it); 0 on failure.</summary>
    internal static uint ProgramId(int progFd)
    {
        // bpf_prog_info is large and grows; ask for its head only (the kernel fills min(info_len, its size)).
        ProgInfoHead info = default;
        var attr = new InfoByFdAttr { BpfFd = (uint)progFd, InfoLen = (uint)sizeof(ProgInfoHead), Info = (ulong)&info };
        return Call(ObjGetInfoByFd, &attr) == 0 ? info.Id : 0;
    }

    private static void CopyName(string name, byte* destination)
    {
        // BPF object names: at most 15 characters of [A-Za-z0-9_.], NUL-terminated.
        int length = Math.Min(name.Length, ObjNameLength - 1);
        for (int i = 0; i < length; i++)
        {
            char c = name[i];
            destination[i] = (byte)(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' ? c : '_');
        }
    }
}
