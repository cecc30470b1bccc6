// The capability check and the refusal hints (Privileges): the sentences name what to grant or
// raise, and stay silent for errnos that are not about privileges. The tests run as root.
using FastBridge.Datapath.Interop;
using Tmds.Linux;

namespace FastBridge.Tests.Datapath.Interop;

public sealed class PrivilegesTests
{
    [Fact]
    public void Require_Root_DoesNotThrow()
    {
        Assert.True(Privileges.Has(Privileges.CapNetRaw));
        Privileges.Require();
    }

    [Fact]
    public void BpfHint_Eperm_NamesCapBpf()
    {
        Assert.Contains("need CAP_BPF (and CAP_NET_ADMIN", Privileges.BpfHint(LibC.EPERM));
        Assert.Equal("", Privileges.BpfHint(LibC.EINVAL));
    }

    [Fact]
    public void RawSocketHint_Eperm_NamesCapNetRaw()
    {
        Assert.Contains("CAP_NET_RAW", Privileges.RawSocketHint(LibC.EPERM));
        Assert.Equal("", Privileges.RawSocketHint(LibC.ENODEV));
    }

    [Fact]
    public void MemlockHint_Enobufs_SaysWhatToRaiseAndByHowMuch()
    {
        string hint = Privileges.MemlockHint(LibC.ENOBUFS, 64UL << 20);
        Assert.Contains("RLIMIT_MEMLOCK", hint);
        Assert.Contains("ulimit -l 65536", hint);
        Assert.Contains("LimitMEMLOCK=65536K", hint);
        Assert.Equal("", Privileges.MemlockHint(LibC.EINVAL, 64UL << 20));
    }
}
