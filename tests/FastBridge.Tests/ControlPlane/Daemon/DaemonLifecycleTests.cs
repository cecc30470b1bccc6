using System.Diagnostics;

namespace FastBridge.Tests.ControlPlane.Daemon;

/// <summary>Start-up refusals, and what SIGTERM leaves behind.</summary>
[Collection(DaemonCollection.Name)]
public sealed class DaemonLifecycleTests
{
    [Fact]
    public void Sigterm_RunningDaemon_ExitsZeroRemovesSocketRestoresPorts()
    {
        using DaemonLab lab = DaemonLab.Create(2);
        using FastBridgeDaemon daemon = FastBridgeDaemon.Start(lab.Socket, "--port", lab.Port(0), "--port", lab.Port(1));
        Assert.True(File.Exists(lab.Socket));
        Assert.Equal("-rw-rw----", UnixMode(lab.Socket));

        var stopping = Stopwatch.StartNew();
        int? exit = daemon.Terminate(TimeSpan.FromSeconds(5));

        Assert.True(exit == 0, $"exit {exit}\n{daemon.Output}");
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(3), $"took {stopping.Elapsed} to stop");
        Assert.False(Path.Exists(lab.Socket));
        Assert.Contains("interfaces restored", daemon.Output);
        const int IffPromisc = 0x100;
        Assert.Equal(0, Convert.ToInt32(File.ReadAllText($"/sys/class/net/{lab.Port(0)}/flags").Trim(), 16) & IffPromisc);
    }

    [Fact]
    public void Run_SocketServedByAnotherDaemon_RefusedWithOneLine()
    {
        using DaemonLab lab = DaemonLab.Create(3);
        using FastBridgeDaemon first = FastBridgeDaemon.Start(lab.Socket, "--port", lab.Port(0));
        using FastBridgeDaemon second = FastBridgeDaemon.Launch(lab.Socket, "--port", lab.Port(1), "--port", lab.Port(2));

        Assert.True(second.WaitForLine("another fastbridge daemon is serving", TimeSpan.FromSeconds(20)), second.Output);
        Assert.True(SpinWait.SpinUntil(() => second.HasExited, 5000));
        Assert.Equal(1, second.ExitCode);
        Assert.DoesNotContain("forwarding", second.Output);
        Assert.Equal(0, first.Cli("status").ExitCode);
    }

    [Fact]
    public void Run_StaleSocketFile_IsReplaced()
    {
        using DaemonLab lab = DaemonLab.Create(1);
        using (var stale = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified))
        {
            stale.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(lab.Socket));
        }
        using FastBridgeDaemon daemon = FastBridgeDaemon.Start(lab.Socket, "--port", lab.Port(0));

        Assert.Equal(0, daemon.Cli("status").ExitCode);
    }

    [Fact]
    public void Run_HttpNotLoopback_RefusedWithOneLine()
    {
        using DaemonLab lab = DaemonLab.Create(1);
        using FastBridgeDaemon daemon = FastBridgeDaemon.Launch(lab.Socket, "--port", lab.Port(0), "--http", "0.0.0.0:9470");

        // WaitForLine, not HasExited: the output's last lines may still be on their way when the process is gone.
        Assert.True(daemon.WaitForLine("not a loopback address", TimeSpan.FromSeconds(20)), daemon.Output);
        Assert.True(SpinWait.SpinUntil(() => daemon.HasExited, 5000));
        Assert.NotEqual(0, daemon.ExitCode);
        Assert.False(Path.Exists(lab.Socket));
    }

    [Fact]
    public void Run_HttpTokenFileOthersMayRead_RefusedWithOneLineBeforeTouchingAnything()
    {
        using DaemonLab lab = DaemonLab.Create(1);
        string token = lab.WriteFile("token", new string('t', 32), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        using FastBridgeDaemon daemon = FastBridgeDaemon.Launch(lab.Socket, "--port", lab.Port(0), "--http", "127.0.0.1:9470", "--http-token-file", token);

        Assert.True(daemon.WaitForLine("httpTokenFile", TimeSpan.FromSeconds(20)), daemon.Output);
        Assert.True(SpinWait.SpinUntil(() => daemon.HasExited, 5000));
        Assert.Equal(1, daemon.ExitCode);
        Assert.Equal($"fastbridge: command line: key 'httpTokenFile': {token} mode 0604 lets its group or others at the token; chmod 600 it", daemon.Output.Trim());
        Assert.False(Path.Exists(lab.Socket));
    }

    private static string UnixMode(string path) => OperatingSystem.IsWindows() ? "" : UnixModeString(File.GetUnixFileMode(path));

    private static string UnixModeString(UnixFileMode mode)
    {
        char Bit(UnixFileMode bit, char c) => (mode & bit) != 0 ? c : '-';
        return "-" + Bit(UnixFileMode.UserRead, 'r') + Bit(UnixFileMode.UserWrite, 'w') + Bit(UnixFileMode.UserExecute, 'x')
            + Bit(UnixFileMode.GroupRead, 'r') + Bit(UnixFileMode.GroupWrite, 'w') + Bit(UnixFileMode.GroupExecute, 'x')
            + Bit(UnixFileMode.OtherRead, 'r') + Bit(UnixFileMode.OtherWrite, 'w') + Bit(UnixFileMode.OtherExecute, 'x');
    }
}
