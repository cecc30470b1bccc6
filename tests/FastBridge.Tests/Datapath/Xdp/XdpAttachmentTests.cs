// XdpAttachment on real veth pairs: the verifier accepts the redirect program, `ip -d link` shows it
// while attached and not after Dispose, a second program is refused without changing anything, and
// the program goes away with the last process that holds the link, even one killed with SIGKILL.
using System.Diagnostics;
using System.Runtime.InteropServices;
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Ports;
using FastBridge.Datapath.Xdp;
using Tmds.Linux;

namespace FastBridge.Tests.Datapath.Xdp;

public sealed partial class XdpAttachmentTests
{
    [Theory]
    [InlineData(XdpAttachMode.Native, "xdp ")]
    [InlineData(XdpAttachMode.Generic, "xdpgeneric")]
    [InlineData(XdpAttachMode.Auto, "xdp ")]
    public void Attach_Veth_ShownWhileAttachedAndGoneAfterDispose(XdpAttachMode mode, string ipShows)
    {
        using var lab = new VethLab();
        (string host, _) = lab.AddVeth("p");
        XdpAttachment attachment = XdpAttachment.Attach(NetInterface.Inspect(host), mode);
        try
        {
            Assert.Equal(mode == XdpAttachMode.Generic ? XdpAttachMode.Generic : XdpAttachMode.Native, attachment.Mode);
            string details = VethLab.Details(host);
            Assert.Contains(ipShows, details);
            Assert.Contains($"prog/xdp id {attachment.ProgramId} ", details);
        }
        finally
        {
            attachment.Dispose();
        }
        Assert.False(VethLab.HasXdp(host), VethLab.Details(host));
    }

    [Theory]
    [InlineData(XdpAttachMode.Native, XdpAttachMode.Native)]
    [InlineData(XdpAttachMode.Generic, XdpAttachMode.Native)]
    [InlineData(XdpAttachMode.Native, XdpAttachMode.Auto)]
    [InlineData(XdpAttachMode.Generic, XdpAttachMode.Generic)]
    public void Attach_InterfaceAlreadyCarriesProgram_RefusedNamingItAndChangingNothing(XdpAttachMode first, XdpAttachMode second)
    {
        using var lab = new VethLab();
        (string host, _) = lab.AddVeth("p");
        NetInterfaceInfo iface = NetInterface.Inspect(host);
        using XdpAttachment existing = XdpAttachment.Attach(iface, first);

        var refused = Assert.Throws<PortRefusedException>(() => XdpAttachment.Attach(iface, second));

        Assert.Contains(host, refused.Message);
        Assert.DoesNotContain('\n', refused.Message);
        Assert.Contains($"prog/xdp id {existing.ProgramId} ", VethLab.Details(host));
    }

    [Fact]
    public void Attach_JumboVethNativeWithoutFrags_KernelRefusesWithFragsAccepts()
    {
        using var lab = new VethLab();
        (string host, _) = lab.AddVeth("f", 9000);
        NetInterfaceInfo iface = NetInterface.Inspect(host);

        // veth: native XDP on an MTU above ~3.5 KiB needs a frags-aware program (ERANGE otherwise).
        Assert.Throws<InvalidOperationException>(() => XdpAttachment.Attach(iface, XdpAttachMode.Native));
        using XdpAttachment attachment = XdpAttachment.Attach(iface, XdpAttachMode.Native, multiBuffer: true);
        Assert.True(attachment.MultiBuffer);
        Assert.True(VethLab.HasXdp(host));
    }

    [Fact]
    public void LoadXdpProgram_VerifierRefuses_ReturnsErrnoAndLog()
    {
        // exit without setting r0: the verifier must refuse ("R0 !read_ok").
        int fd = Bpf.LoadXdpProgram([BpfAssembler.Exit()], "fb_bad", out string log);

        Assert.True(fd < 0);
        Assert.Contains("R0", log);
    }

    [Fact]
    public void Attach_LinkHolderKilledWithSigkill_ProgramDetached()
    {
        using var lab = new VethLab();
        (string host, _) = lab.AddVeth("p");
        XdpAttachment attachment = XdpAttachment.Attach(NetInterface.Inspect(host), XdpAttachMode.Native);
        // dup() clears close-on-exec, so a child started now inherits a second fd of the link.
        int inherited = dup(attachment.LinkFd);
        Assert.True(inherited >= 0, $"dup: {Marshal.GetLastPInvokeError()}");
        using var holder = new ChildProcess("sleep", ["60"]);
        try
        {
            LibC.close(inherited);
            attachment.Dispose();
            Assert.True(VethLab.HasXdp(host), "the child's fd of the link keeps the program attached");

            holder.Kill();   // SIGKILL, and waits for it

            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (VethLab.HasXdp(host) && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(20);
            }
            Assert.False(VethLab.HasXdp(host), VethLab.Details(host));
        }
        finally
        {
            if (!holder.HasExited)
            {
                holder.Kill();
            }
            attachment.Dispose();
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int dup(int fd);
}
