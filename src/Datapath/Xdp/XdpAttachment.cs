// FastBridge's XDP program on one interface: an XSKMAP keyed by RX queue, the redirect program that
// sends each frame to the AF_XDP socket of its queue (or up the stack when the queue has none), and
// the BPF link that attaches it. Through a link, the kernel detaches the program when the last fd of
// the link closes, so a crashed or killed process (even kill -9) leaves no program behind. One per
// interface, shared by every poll loop's AfXdpPort on it; set-up and Dispose run on the control thread.
// A fast-path program owns a drain (FastPathMaps.Drains.cs) for as long as the attachment lives: the
// loops' handles on the port report to it (Drain), the program reads it.
using FastBridge.Datapath.Interop;
using static FastBridge.Datapath.Xdp.BpfAssembler;
using FastBridge.Datapath.Common;
using Tmds.Linux;

namespace FastBridge.Datapath.Xdp;

public enum XdpAttachMode
{
    /// <summary>Native (driver) mode, falling back to generic where the driver has no XDP support.</summary>
    Auto,

    /// <summary>The driver runs the program on its receive path (XDP_FLAGS_DRV_MODE).</summary>
    Native,

    /// <summary>The kernel runs the program on the skb after the driver (XDP_FLAGS_SKB_MODE): works everywhere, slower.</summary>
    Generic,
}

public sealed class XdpAttachment : IDisposable
{
    private readonly int _mapFd;
    private readonly int _progFd;
    private readonly FastPathMaps? _fastPath;
    private readonly int _drain;
    private int _linkFd;

    private XdpAttachment(string name, int queueCount, int mapFd, int progFd, int linkFd, XdpAttachMode mode, bool multiBuffer,
        FastPathMaps? fastPath = null, int drain = -1)
    {
        _fastPath = fastPath;
        _drain = drain;
        InterfaceName = name;
        QueueCount = queueCount;
        _mapFd = mapFd;
        _progFd = progFd;
        _linkFd = linkFd;
        Mode = mode;
        MultiBuffer = multiBuffer;
        ProgramId = Bpf.ProgramId(progFd);
    }

    public string InterfaceName { get; }

    /// <summary>The mode the program runs in: Native or Generic, never Auto.</summary>
    public XdpAttachMode Mode { get; }

    /// <summary>Whether the program was loaded frags-aware (BPF_F_XDP_HAS_FRAGS), so frames longer than one buffer reach the sockets.</summary>
    public bool MultiBuffer { get; }

    /// <summary>Slots of the XSKMAP: one per RX queue of the interface.</summary>
    public int QueueCount { get; }

    /// <summary>The kernel's id of the program, as `ip link` and bpftool show it.</summary>
    public uint ProgramId { get; }

    /// <summary>The link's fd, for tests that hand it to another process.</summary>
    internal int LinkFd => _linkFd;

    /// <summary>
    /// Loads the redirect program and attaches it to <paramref name="iface"/>. With <paramref name="multiBuffer"/>
    /// the program is loaded frags-aware: without that, native XDP on veth refuses an MTU above about
    /// 3.5 KiB (ERANGE) and drivers drop frames longer than one buffer before the program runs.
    /// Throws PortRefusedException, changing nothing, when the interface already carries an XDP program;
    /// InvalidOperationException naming the interface, the step and the errno on any other failure.
    /// </summary>
    /// <param name="fastPath">
    /// With the fast path's maps, the program is FastPathProgram: known unicast redirected in the kernel, the
    /// rest to the sockets. Not for multi-buffer: the program measures the first buffer of a frame only.
    /// </param>
    public static XdpAttachment Attach(NetInterfaceInfo iface, XdpAttachMode mode = XdpAttachMode.Auto, int queueCount = 0, bool multiBuffer = false,
        FastPathMaps? fastPath = null)
    {
        ArgumentNullException.ThrowIfNull(iface);
        if (queueCount <= 0)
        {
            queueCount = RxQueueCount(iface.Name);
        }
        int mapFd = Bpf.CreateXskMap((uint)queueCount, "fb_xsks");
        if (mapFd < 0)
        {
            throw new InvalidOperationException($"interface {iface.Name}: cannot create the XSKMAP: {LibcExtras.ErrnoText(-mapFd)}{Privileges.BpfHint(-mapFd)}");
        }
        int progFd = -1;
        if (multiBuffer)
        {
            fastPath = null;
        }
        int drain = fastPath?.AllocateDrain() ?? -1;
        try
        {
            progFd = fastPath is null
                ? LoadRedirectProgram(mapFd, iface.Name, multiBuffer)
                : LoadFastPathProgram(FastPathProgram.Build(fastPath, mapFd, drain), iface.Name);
            (int linkFd, XdpAttachMode actual) = Link(progFd, iface, mode);
            return new XdpAttachment(iface.Name, queueCount, mapFd, progFd, linkFd, actual, multiBuffer, fastPath, drain);
        }
        catch
        {
            if (progFd >= 0)
            {
                LibC.close(progFd);
            }
            LibC.close(mapFd);
            fastPath?.FreeDrain(drain);
            throw;
        }
    }

    /// <summary>
    /// Attaches the fast-path program to an AF_PACKET port: known unicast redirected in the kernel, every
    /// other frame passed up to the packet socket (XDP_PASS). No XSKMAP; Register is not for this one.
    /// </summary>
    public static XdpAttachment AttachFastPath(NetInterfaceInfo iface, FastPathMaps fastPath, XdpAttachMode mode = XdpAttachMode.Auto)
    {
        ArgumentNullException.ThrowIfNull(iface);
        ArgumentNullException.ThrowIfNull(fastPath);
        int drain = fastPath.AllocateDrain();
        int progFd = -1;
        try
        {
            progFd = LoadFastPathProgram(FastPathProgram.Build(fastPath, xskMapFd: -1, drain), iface.Name);
            (int linkFd, XdpAttachMode actual) = Link(progFd, iface, mode);
            return new XdpAttachment(iface.Name, 0, -1, progFd, linkFd, actual, multiBuffer: false, fastPath, drain);
        }
        catch
        {
            if (progFd >= 0)
            {
                LibC.close(progFd);
            }
            fastPath.FreeDrain(drain);
            throw;
        }
    }

    /// <summary>Loads the fast-path program once and closes it: null when this kernel accepts it, else why not with the verifier's log.</summary>
    public static string? CheckFastPath(FastPathMaps fastPath)
    {
        ArgumentNullException.ThrowIfNull(fastPath);
        int drain = fastPath.AllocateDrain();
        try
        {
            LibC.close(LoadFastPathProgram(FastPathProgram.Build(fastPath, xskMapFd: -1, drain), "(check)"));
            return null;
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
        finally
        {
            fastPath.FreeDrain(drain);
        }
    }

    /// <summary>
    /// The redirect program: r2 = ctx->rx_queue_index; r1 = &amp;xsks_map; r3 = XDP_PASS;
    /// return bpf_redirect_map(r1, r2, r3). A queue without a socket falls back to XDP_PASS.
    /// </summary>
    internal static ulong[] RedirectProgram(int mapFd)
    {
        (ulong mapFirst, ulong mapSecond) = LoadMapFd(R1, mapFd);
        return
        [
            LoadWord(R2, R1, Bpf.XdpMdRxQueueIndex),
            mapFirst,
            mapSecond,
            Mov64Imm(R3, Bpf.XdpPass),
            Call(Bpf.FuncRedirectMap),
            Exit(),
        ];
    }

    /// <summary>
    /// Where poll loop <paramref name="loop"/>'s handle on this port reports the frames it forwarded, so the
    /// fast-path program redirects only while none wait in user space; null without a fast-path program.
    /// </summary>
    public PortDrain? Drain(int loop) => _fastPath?.ForLoop(_drain, loop);

    /// <summary>Frames of this port in user space as the fast-path program counts them (tests).</summary>
    internal long DrainWaiting => _fastPath?.Waiting(_drain) ?? 0;

    /// <summary>Puts the socket of <paramref name="queue"/> in the map: frames of that queue go to it from now on.</summary>
    internal void Register(int queue, int xskFd)
    {
        int result = Bpf.UpdateElem(_mapFd, (uint)queue, (uint)xskFd);
        if (result < 0)
        {
            throw new InvalidOperationException($"interface {InterfaceName}: cannot put the AF_XDP socket of queue {queue} in the XSKMAP: {LibcExtras.ErrnoText(-result)}");
        }
    }

    /// <summary>Takes the socket of <paramref name="queue"/> out of the map; its frames go up the stack again.</summary>
    internal void Unregister(int queue) => Bpf.DeleteElem(_mapFd, (uint)queue);

    /// <summary>The interface's RX queues, from sysfs (a plain veth has 1).</summary>
    public static int RxQueueCount(string name)
    {
        string queues = $"/sys/class/net/{name}/queues";
        return Directory.Exists(queues) ? Math.Max(1, Directory.GetDirectories(queues, "rx-*").Length) : 1;
    }

    public void Dispose()
    {
        // Closing the link's only fd detaches the program; then the program and the map go.
        if (_linkFd < 0)
        {
            return;
        }
        LibC.close(_linkFd);
        LibC.close(_progFd);
        if (_mapFd >= 0)
        {
            LibC.close(_mapFd);
        }
        _fastPath?.FreeDrain(_drain);
        _linkFd = -1;
    }

    private static int LoadRedirectProgram(int mapFd, string name, bool multiBuffer) =>
        // The program never reads packet data, so it is the same program with or without frags.
        Load(RedirectProgram(mapFd), "fb_xsk_redir", name, multiBuffer ? "XDP program (frags-aware, for multi-buffer: kernel 5.18+)" : "XDP program", multiBuffer);

    private static int LoadFastPathProgram(ulong[] program, string name) => Load(program, "fb_fast_path", name, "fast-path XDP program", hasFrags: false);

    /// <summary>Loads <paramref name="program"/>, or throws naming the interface, the program, the errno and the verifier's log.</summary>
    private static int Load(ulong[] program, string bpfName, string name, string what, bool hasFrags)
    {
        int progFd = Bpf.LoadXdpProgram(program, bpfName, out string log, hasFrags: hasFrags);
        if (progFd >= 0)
        {
            return progFd;
        }
        string detail = log.Length > 0 ? $"; verifier log: {log.ReplaceLineEndings(" | ")}" : "";
        throw new InvalidOperationException($"interface {name}: the kernel refused FastBridge's {what}: {LibcExtras.ErrnoText(-progFd)}{Privileges.BpfHint(-progFd)}{detail}");
    }

    private static (int LinkFd, XdpAttachMode Mode) Link(int progFd, NetInterfaceInfo iface, XdpAttachMode mode)
    {
        XdpAttachMode first = mode == XdpAttachMode.Generic ? XdpAttachMode.Generic : XdpAttachMode.Native;
        int linkFd = TryLink(progFd, iface, first);
        if (linkFd >= 0)
        {
            return (linkFd, first);
        }
        if (mode == XdpAttachMode.Auto)
        {
            int generic = TryLink(progFd, iface, XdpAttachMode.Generic);
            if (generic >= 0)
            {
                return (generic, XdpAttachMode.Generic);
            }
            throw new InvalidOperationException($"interface {iface.Name}: cannot attach the XDP program: native {LibcExtras.ErrnoText(-linkFd)}, generic {LibcExtras.ErrnoText(-generic)}{Privileges.BpfHint(-generic)}");
        }
        throw new InvalidOperationException($"interface {iface.Name}: cannot attach the XDP program in {first.ToString().ToLowerInvariant()} mode: {LibcExtras.ErrnoText(-linkFd)}{Privileges.BpfHint(-linkFd)}");
    }

    /// <summary>The link fd, or -errno; throws PortRefusedException when another program holds the interface.</summary>
    private static int TryLink(int progFd, NetInterfaceInfo iface, XdpAttachMode mode)
    {
        uint flags = mode == XdpAttachMode.Native ? Bpf.XdpFlagsDrvMode : Bpf.XdpFlagsSkbMode;
        int linkFd = Bpf.CreateXdpLink(progFd, iface.IfIndex, flags);
        // EBUSY: a program (or link) is attached in this mode; EEXIST: one is attached in the other mode.
        if (linkFd == -LibC.EBUSY || linkFd == -LibC.EEXIST)
        {
            throw new PortRefusedException($"interface {iface.Name} already carries an XDP program; FastBridge will not replace it (remove it first)");
        }
        return linkFd;
    }
}
