// Keeps the host's own stack off frames FastBridge switches on an AF_PACKET port. A raw socket only
// taps: after the packet taps have run, the kernel would also hand every received frame to the
// host stack (the Linux bridge consumes them instead). A two-instruction tcx ingress program
// (return TC_ACT_SHOT) ends each frame right after the taps, so our socket still sees it and the
// stack does not. Attached through a BPF link, so it goes away with the process, even on kill -9.
// One per AF_PACKET interface; set-up and Dispose run on the control thread.
using FastBridge.Datapath.Interop;
using static FastBridge.Datapath.Xdp.BpfAssembler;
using FastBridge.Datapath.Common;
using Tmds.Linux;

namespace FastBridge.Datapath.Ports;

public sealed class HostStackBypass : IDisposable
{
    /// <summary>TC_ACT_SHOT from linux/pkt_cls.h: drop the frame here.</summary>
    private const int TcActShot = 2;

    private int _progFd;
    private int _linkFd;

    private HostStackBypass(int progFd, int linkFd)
    {
        _progFd = progFd;
        _linkFd = linkFd;
    }

    /// <summary>Attaches the drop to <paramref name="iface"/>'s tcx ingress; throws naming the interface and errno.</summary>
    public static HostStackBypass Attach(NetInterfaceInfo iface)
    {
        int progFd = Bpf.LoadProgram(Bpf.ProgTypeSchedCls, Bpf.AttachTypeTcxIngress, [Mov64Imm(R0, TcActShot), Exit()], "fb_stack_bypass", out string log);
        if (progFd < 0)
        {
            throw new InvalidOperationException($"interface {iface.Name}: loading the tcx ingress program failed: {LibcExtras.ErrnoText(-progFd)}{Privileges.BpfHint(-progFd)}{(log.Length > 0 ? "\n" + log : "")}");
        }
        int linkFd = Bpf.CreateLink(progFd, iface.IfIndex, Bpf.AttachTypeTcxIngress, 0);
        if (linkFd < 0)
        {
            LibC.close(progFd);
            throw new InvalidOperationException($"interface {iface.Name}: attaching at tcx ingress failed: {LibcExtras.ErrnoText(-linkFd)}{Privileges.BpfHint(-linkFd)}");
        }
        return new HostStackBypass(progFd, linkFd);
    }

    public void Dispose()
    {
        if (_linkFd >= 0)
        {
            LibC.close(_linkFd);
            LibC.close(_progFd);
            _linkFd = _progFd = -1;
        }
    }
}
