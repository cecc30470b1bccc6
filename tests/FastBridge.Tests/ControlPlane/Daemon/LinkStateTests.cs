// A port's link followed live, as the Linux bridge follows it: while frames flow between two other
// ports, the third port's cable is pulled and put back (its host end set down and up), the port itself
// is set down and up, and its veth is deleted and re-created, 50 times each way. Each time the API
// must say what happened within seconds (disabled / waiting for interface, then forwarding), the
// port must carry frames again, and the other two ports must lose nothing.
using System.Diagnostics;
using FastBridge.ControlPlane.Api;
using FastBridge.ControlPlane.Cli;
using FastBridge.ControlPlane.Switch;

namespace FastBridge.Tests.ControlPlane.Daemon;

[Collection(DaemonCollection.Name)]
public sealed class LinkStateTests
{
    private const int Cycles = 50;
    private const string MacA = "02:00:00:00:ee:0a";
    private const string MacB = "02:00:00:00:ee:0b";
    private const string MacC = "02:00:00:00:ee:0c";

    private static readonly TimeSpan s_stateTimeout = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData("afxdp")]
    [InlineData("afpacket")]
    public void LinkFlaps_HostEndAndPortEnd_PortDisabledThenForwardingAgainOthersLoseNothing(string backend)
    {
        using DaemonLab lab = DaemonLab.Create(3);
        using FastBridgeDaemon daemon = FastBridgeDaemon.Start(lab.Socket, "--port", lab.Port(0), "--port", lab.Port(1), "--port", lab.Port(2), "--backend", backend);
        using var api = new ApiClient(lab.Socket);
        using var traffic = PairTraffic.Start(lab);

        for (int cycle = 0; cycle < Cycles; cycle++)
        {
            // Even cycles pull the cable (the host end goes down: no carrier), odd ones set the port itself down.
            bool cable = cycle % 2 == 0;
            string[] down = cable ? ["-n", lab.Netns(2), "link", "set", lab.Host(2), "down"] : ["link", "set", lab.Port(2), "down"];
            VethLab.Ip(down);
            WaitForState(api, lab.Port(2), cable ? "disabled (no carrier)" : "disabled (admin down)", up: false, daemon);
            if (cycle < 2)
            {
                Assert.Equal("0", PortUpMetric(api, lab.Port(2)));
            }
            VethLab.Ip([.. down[..^1], "up"]);
            WaitForState(api, lab.Port(2), "forwarding", up: true, daemon);
            AssertCrosses(lab, from: 2, to: 0, daemon);
        }

        traffic.AssertNothingLost(daemon);
        Assert.Equal("1", PortUpMetric(api, lab.Port(2)));
    }

    [Theory]
    [InlineData("afxdp")]
    [InlineData("afpacket")]
    public void InterfaceDeletedAndRecreated_PortWaitsThenAttachesByItselfOthersLoseNothing(string backend)
    {
        using DaemonLab lab = DaemonLab.Create(3);
        using FastBridgeDaemon daemon = FastBridgeDaemon.Start(lab.Socket, "--port", lab.Port(0), "--port", lab.Port(1), "--port", lab.Port(2), "--backend", backend);
        using var api = new ApiClient(lab.Socket);
        using var traffic = PairTraffic.Start(lab);

        var reattach = new List<double>();
        for (int cycle = 0; cycle < Cycles; cycle++)
        {
            VethLab.Ip("link", "del", lab.Port(2));
            WaitForState(api, lab.Port(2), "waiting for interface", up: false, daemon);
            var clock = Stopwatch.StartNew();
            lab.AddPair(2);
            WaitForState(api, lab.Port(2), "forwarding", up: true, daemon);
            reattach.Add(clock.Elapsed.TotalMilliseconds);
            AssertCrosses(lab, from: 2, to: 1, daemon);
        }

        traffic.AssertNothingLost(daemon);
        Assert.Contains($"port {lab.Port(2)} is attached again", daemon.Output);
        Assert.True(reattach.Max() < s_stateTimeout.TotalMilliseconds, $"re-attach took up to {reattach.Max():F0} ms");
    }

    [Theory]
    [InlineData("afxdp")]
    [InlineData("afpacket")]
    public void MtuLowered_PortReopenedAndFramesPastTheNewMtuCountedTooBig(string backend)
    {
        using DaemonLab lab = DaemonLab.Create(2);
        using FastBridgeDaemon daemon = FastBridgeDaemon.Start(lab.Socket, "--port", lab.Port(0), "--port", lab.Port(1), "--backend", backend);
        using var api = new ApiClient(lab.Socket);
        VethLab.Ip("link", "set", lab.Port(1), "mtu", "1400");
        Assert.True(daemon.WaitForLine($"port {lab.Port(1)}: MTU changed from 1500 to 1400", s_stateTimeout), daemon.Output);
        WaitForState(api, lab.Port(1), "forwarding", up: true, daemon);

        using RawSocket host = lab.OpenHost(0);
        host.Send(TestFrames.Sized(TestFrames.Mac(MacB), TestFrames.Mac(MacA), 1500));
        var clock = Stopwatch.StartNew();
        ulong tooBig = 0;
        while (tooBig == 0 && clock.Elapsed < s_stateTimeout)
        {
            Thread.Sleep(20);
            tooBig = api.Get("/stats", ApiJson.Default.StatsInfo).Ports.Single(p => p.Name == lab.Port(1)).Drops["too_big"];
        }
        Assert.True(tooBig == 1, $"a 1500-byte frame toward a 1400-MTU port: too_big {tooBig}\n{daemon.Cli("stats").Stdout}");
    }

    /// <summary>The value of fastbridge_port_up for the port, as scraped.</summary>
    private static string PortUpMetric(ApiClient api, string port) =>
        api.GetText("/metrics").Split('\n').Single(l => l.StartsWith($"fastbridge_port_up{{port=\"{port}\"", StringComparison.Ordinal)).Split(' ')[^1];

    private static void WaitForState(ApiClient api, string port, string state, bool up, FastBridgeDaemon daemon)
    {
        var clock = Stopwatch.StartNew();
        PortInfo? info = null;
        while (clock.Elapsed < s_stateTimeout)
        {
            info = api.Get("/ports", ApiJson.Default.PortInfoArray).Single(p => p.Name == port);
            if (info.State == state && info.Up == up)
            {
                return;
            }
            Thread.Sleep(10);
        }
        Assert.Fail($"{port} did not become '{state}' (up {up}) within {s_stateTimeout.TotalSeconds} s; last {info}\n{daemon.Output}");
    }

    /// <summary>A broadcast from host <paramref name="from"/> reaches host <paramref name="to"/> (both sockets on the test EtherType); three tries.</summary>
    private static void AssertCrosses(DaemonLab lab, int from, int to, FastBridgeDaemon daemon)
    {
        using RawSocket sender = lab.OpenHost(from);
        using RawSocket receiver = lab.OpenHost(to);
        byte[] frame = TestFrames.Sized(FastBridge.Datapath.Frames.MacAddress.Broadcast, TestFrames.Mac(MacC), TestFrames.MinFrame, fill: 0x5C);
        for (int attempt = 0; attempt < 3; attempt++)
        {
            sender.Send(frame);
            while (receiver.Receive(500) is { } got)
            {
                if (got.AsSpan().SequenceEqual(frame))
                {
                    return;
                }
            }
        }
        Assert.Fail($"nothing from host {from} reached host {to} after the port came back\n{daemon.Output}");
    }

    /// <summary>Paced frames both ways between hosts 0 and 1 (at most 40 000 each way), counted where they arrive.</summary>
    private sealed class PairTraffic : IDisposable
    {
        private readonly RawSocket _a;
        private readonly RawSocket _b;
        private readonly CancellationTokenSource _stop = new();
        private readonly CancellationTokenSource _receiving = new();
        private readonly List<Thread> _threads = [];
        private int _sent;
        private int _atA;
        private int _atB;

        private PairTraffic(DaemonLab lab)
        {
            _a = lab.OpenHost(0);
            _b = lab.OpenHost(1);
        }

        public static PairTraffic Start(DaemonLab lab)
        {
            var traffic = new PairTraffic(lab);
            traffic.Run();
            return traffic;
        }

        public void AssertNothingLost(FastBridgeDaemon daemon)
        {
            _stop.Cancel();
            _threads[0].Join();
            var drain = Stopwatch.StartNew();
            while ((Volatile.Read(ref _atA) < _sent || Volatile.Read(ref _atB) < _sent) && drain.Elapsed < TimeSpan.FromSeconds(5))
            {
                Thread.Sleep(20);
            }
            Assert.True(_sent > 1000, $"only {_sent} frames each way");
            Assert.True(_atA == _sent && _atB == _sent,
                $"sent {_sent} each way; B got {_atB} from A, A got {_atA} from B\n{daemon.Cli("stats", "--json").Stdout}\n{daemon.Output}");
        }

        public void Dispose()
        {
            _stop.Cancel();
            _receiving.Cancel();
            foreach (Thread thread in _threads)
            {
                thread.Join();
            }
            _a.Dispose();
            _b.Dispose();
        }

        private void Run()
        {
            byte[] aToB = TestFrames.Sized(TestFrames.Mac(MacB), TestFrames.Mac(MacA), TestFrames.MinFrame);
            byte[] bToA = TestFrames.Sized(TestFrames.Mac(MacA), TestFrames.Mac(MacB), TestFrames.MinFrame);
            _threads.Add(new Thread(() =>
            {
                // Paced (at most ~5000 frames/s each way) and bounded (200 000, ~40 s): no ring anywhere can overflow.
                while (!_stop.IsCancellationRequested && _sent < 200_000)
                {
                    _a.Send(aToB);
                    _b.Send(bToA);
                    if (++_sent % 5 == 0)
                    {
                        Thread.Sleep(1);
                    }
                }
            }));
            _threads.Add(Receiver(_b, MacA, () => _atB++));
            _threads.Add(Receiver(_a, MacB, () => _atA++));
            foreach (Thread thread in _threads)
            {
                thread.Start();
            }
        }

        private Thread Receiver(RawSocket socket, string fromMac, Action count)
        {
            ulong from = TestFrames.Mac(fromMac);
            return new Thread(() =>
            {
                // Runs until disposal, so frames still in flight when sending stops are counted.
                while (!_receiving.IsCancellationRequested)
                {
                    byte[]? frame = socket.Receive(50);
                    if (frame is not null && FastBridge.Datapath.Frames.MacAddress.Read(frame.AsSpan(6, 6)) == from)
                    {
                        count();
                    }
                }
            });
        }
    }
}
