using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace FastBridge.Tests.ControlPlane.Daemon;

/// <summary>
/// `fastbridge run` as systemd's Type=notify service sees it: NOTIFY_SOCKET is a datagram socket this test
/// listens on, as systemd does; READY=1 must come only once frames cross the switch and the API answers.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class ServiceNotifierTests
{
    [Fact]
    public void Run_UnderNotifySocket_ReadyAfterForwardingAndApiThenWatchdogPingsThenStopping()
    {
        using DaemonLab lab = DaemonLab.Create(2);
        using Socket notify = Listen(lab);
        using FastBridgeDaemon daemon = Launch(lab, new() { ["WATCHDOG_USEC"] = "1000000" });

        Assert.Equal("READY=1", Receive(notify, TimeSpan.FromSeconds(20), daemon));
        // Ready means ready now: the API answers and a frame crosses, with no waiting.
        Assert.Equal(0, daemon.Cli("status").ExitCode);
        using RawSocket hostA = lab.OpenHost(0);
        using RawSocket hostB = lab.OpenHost(1);
        byte[] frame = TestFrames.Sized(TestFrames.Mac("02:00:00:00:ee:0b"), TestFrames.Mac("02:00:00:00:ee:0a"), TestFrames.MinFrame);
        hostA.Send(frame);
        Assert.Equal(frame, hostB.ReceiveTest(2000));

        // WATCHDOG_USEC 1 s: a ping every half second while the loop advances.
        var pinging = Stopwatch.StartNew();
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("WATCHDOG=1", Receive(notify, TimeSpan.FromSeconds(5), daemon));
        }
        Assert.True(pinging.Elapsed < TimeSpan.FromSeconds(4), $"three pings took {pinging.Elapsed}");

        daemon.Signal(ChildProcess.SigTerm);
        string? next;
        while ((next = Receive(notify, TimeSpan.FromSeconds(5), daemon)) == "WATCHDOG=1")
        {
        }
        Assert.Equal("STOPPING=1", next);
        Assert.Equal(0, daemon.Terminate(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Run_WatchdogMeantForAnotherPid_NoPings()
    {
        using DaemonLab lab = DaemonLab.Create(1);
        using Socket notify = Listen(lab);
        using FastBridgeDaemon daemon = Launch(lab, new() { ["WATCHDOG_USEC"] = "200000", ["WATCHDOG_PID"] = "1" });

        Assert.Equal("READY=1", Receive(notify, TimeSpan.FromSeconds(20), daemon));
        Assert.Null(Receive(notify, TimeSpan.FromSeconds(1), daemon));
    }

    [Fact]
    public void Run_NotifySocketGoneAfterReady_KeepsForwardingAndStopsCleanly()
    {
        using DaemonLab lab = DaemonLab.Create(1);
        FastBridgeDaemon daemon;
        using (Socket notify = Listen(lab))
        {
            daemon = Launch(lab, new() { ["WATCHDOG_USEC"] = "200000" });
            Assert.Equal("READY=1", Receive(notify, TimeSpan.FromSeconds(20), daemon));
        }
        using (daemon)
        {
            Assert.True(daemon.WaitForLine("cannot tell systemd", TimeSpan.FromSeconds(5)), daemon.Output);
            Assert.Equal(0, daemon.Cli("status").ExitCode);
            Assert.Equal(0, daemon.Terminate(TimeSpan.FromSeconds(5)));
        }
    }

    /// <summary>A datagram socket where systemd would listen, in the lab's directory.</summary>
    private static Socket Listen(DaemonLab lab)
    {
        var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(NotifySocket(lab)));
        return notify;
    }

    /// <summary>`fastbridge run` on every port of the lab, told of the notify socket as systemd tells a service, without waiting.</summary>
    private static FastBridgeDaemon Launch(DaemonLab lab, Dictionary<string, string> watchdog)
    {
        watchdog["NOTIFY_SOCKET"] = NotifySocket(lab);
        return FastBridgeDaemon.LaunchRun(["--socket", lab.Socket, "--stats-interval", "0", .. lab.Ports.SelectMany(p => new[] { "--port", p })], watchdog);
    }

    private static string NotifySocket(DaemonLab lab) => Path.Combine(lab.Directory.FullName, "notify");

    /// <summary>The next datagram as text, or null when none comes within the timeout.</summary>
    private static string? Receive(Socket notify, TimeSpan timeout, FastBridgeDaemon daemon)
    {
        if (!notify.Poll(timeout, SelectMode.SelectRead))
        {
            Assert.False(daemon.HasExited, daemon.Output);
            return null;
        }
        var buffer = new byte[256];
        int length = notify.Receive(buffer);
        return Encoding.ASCII.GetString(buffer, 0, length).Trim();
    }
}
