using System.Diagnostics;
using System.Text.Json;
using FastBridge.ControlPlane.Api;
using FastBridge.ControlPlane.Switch;

namespace FastBridge.Tests.ControlPlane.Daemon;

/// <summary>Ports added and removed through the CLI while frames flow between two other ports.</summary>
[Collection(DaemonCollection.Name)]
public sealed class LivePortTests
{
    private const string MacA = "02:00:00:00:dd:0a";
    private const string MacB = "02:00:00:00:dd:0b";

    [Theory]
    [InlineData("afxdp", 1)]
    [InlineData("afpacket", 1)]
    [InlineData("afpacket", 2)]
    public void PortAddDel_DuringContinuousTraffic_LosesNoFrameBetweenTheOtherPorts(string backend, int workers)
    {
        using DaemonLab lab = DaemonLab.Create(3);
        using FastBridgeDaemon daemon = FastBridgeDaemon.Start(lab.Socket, "--port", lab.Port(0), "--port", lab.Port(1),
            "--backend", backend, "--workers", workers.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using RawSocket hostA = lab.OpenHost(0);
        using RawSocket hostB = lab.OpenHost(1);
        byte[] aToB = TestFrames.Sized(TestFrames.Mac(MacB), TestFrames.Mac(MacA), TestFrames.MinFrame);
        byte[] bToA = TestFrames.Sized(TestFrames.Mac(MacA), TestFrames.Mac(MacB), TestFrames.MinFrame);

        using var stop = new CancellationTokenSource();
        int sentEach = 0;
        var sender = new Thread(() =>
        {
            // Bounded and paced (at most ~5000 frames/s each way, 40000 in all): no ring anywhere can overflow.
            while (!stop.IsCancellationRequested && sentEach < 40_000)
            {
                hostA.Send(aToB);
                hostB.Send(bToA);
                if (++sentEach % 5 == 0)
                {
                    Thread.Sleep(1);
                }
            }
        });
        int atB = 0;
        int atA = 0;
        using var receiving = new CancellationTokenSource();
        Thread receiverB = Receiver(hostB, MacA, () => atB++, receiving.Token);
        Thread receiverA = Receiver(hostA, MacB, () => atA++, receiving.Token);
        sender.Start();

        var changes = Stopwatch.StartNew();
        for (int cycle = 0; cycle < 3; cycle++)
        {
            Assert.Equal(0, daemon.Cli("port", "add", lab.Port(2)).ExitCode);
            Assert.Equal(0, daemon.Cli("port", "del", lab.Port(2)).ExitCode);
        }
        stop.Cancel();
        sender.Join();
        var drain = Stopwatch.StartNew();
        while ((Volatile.Read(ref atA) < sentEach || Volatile.Read(ref atB) < sentEach) && drain.Elapsed < TimeSpan.FromSeconds(5))
        {
            Thread.Sleep(20);
        }
        receiving.Cancel();
        receiverA.Join();
        receiverB.Join();

        Assert.True(sentEach > 1000, $"only {sentEach} frames each way while ports changed for {changes.Elapsed}");
        Assert.True(atB == sentEach && atA == sentEach, $"sent {sentEach} each way; B got {atB} from A, A got {atA} from B\n{daemon.Output}");
        StatsInfo stats = JsonSerializer.Deserialize(daemon.Cli("stats", "--json").Stdout, ApiJson.Default.StatsInfo)!;
        Assert.All(stats.Ports.Where(p => p.Name != lab.Port(2)), p => Assert.All(p.Drops.Values, d => Assert.Equal(0UL, d)));
        Assert.Contains(stats.Ports, p => p.Name == lab.Port(2) && !p.Present);
        Assert.Contains($"port {lab.Port(2)}: {backend}", daemon.Output);
    }

    internal static Thread Receiver(RawSocket socket, string fromMac, Action count, CancellationToken cancel)
    {
        ulong from = TestFrames.Mac(fromMac);
        var thread = new Thread(() =>
        {
            while (!cancel.IsCancellationRequested)
            {
                byte[]? frame = socket.Receive(50);
                if (frame is not null && FastBridge.Datapath.Frames.MacAddress.Read(frame.AsSpan(6, 6)) == from)
                {
                    count();
                }
            }
        });
        thread.Start();
        return thread;
    }
}
