// Punt and inject through the datapath host's API on live poll loops: over in-memory wires, and on
// real veth pairs with each backend, where a host in the lab's namespace sends BPDUs that the control
// plane takes whole and receives a frame the control plane injects, byte for byte. Every wait is
// bounded; counters are awaited too, since a loop counts a frame just after handing it on.
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Hosting;
using FastBridge.Datapath.Ports;
using FastBridge.Testing.Frames;
using FastBridge.Testing.Lab;
using FastBridge.Testing.Traffic;
using FastBridge.Tests.Datapath.Ports;

namespace FastBridge.Tests.Datapath.Forwarding;

public sealed class DatapathHostPuntTests
{
    private static readonly ulong s_station = TestFrames.Mac("02:00:00:00:02:0a");

    [Fact]
    public void TryTakePunted_BpduWhilePunting_TakenWithItsPort_FloodsAgainOncePuntingStops()
    {
        var wires = new Dictionary<string, TestWire> { ["a"] = new("a"), ["b"] = new("b") };
        using DatapathHost bridge = Start(wires, workers: 2);
        bridge.PuntDestinations = PuntDestinations.Of([TestFrames.StpGroup]);
        byte[] bpdu = TestFrames.StpBpdu(s_station, TestFrames.Marker("bridge-punt"));

        wires["a"].Inject(bpdu);

        AssertPunted(bridge, [bpdu], port: 0);
        Assert.Empty(wires["b"].TakeTransmitted());
        WaitFor(bridge.ReadStats, found: stats => Sum(stats, w => w.Punts.Punted) == 1);

        bridge.PuntDestinations = PuntDestinations.None;
        wires["a"].Inject(bpdu);
        Assert.Equal([bpdu], WaitFor(wires["b"].TakeTransmitted, found: frames => frames.Count > 0));
        Assert.Equal(-1, bridge.TryTakePunted(new byte[DatapathHost.MaxControlFrameLength], out _));
    }

    [Fact]
    public void TryInject_FrameForPortB_SentOnBByteIdentical_CountedAsTxAndInjected()
    {
        var wires = new Dictionary<string, TestWire> { ["a"] = new("a"), ["b"] = new("b") };
        using DatapathHost bridge = Start(wires, workers: 2);
        byte[] frame = TestFrames.Experimental(TestFrames.Mac("02:00:00:00:02:0b"), s_station, TestFrames.Marker("bridge-inject"), 80);

        Assert.True(bridge.TryInject(1, frame));

        Assert.Equal([frame], WaitFor(wires["b"].TakeTransmitted, found: frames => frames.Count > 0));
        Assert.Empty(wires["a"].TakeTransmitted());
        DatapathStats stats = WaitFor(bridge.ReadStats, found: stats => Sum(stats, w => w.Punts.Injected) == 1);
        Assert.Equal((1UL, 80UL), (stats.Ports[1].Counters.TxPackets, stats.Ports[1].Counters.TxBytes));
    }

    [Fact]
    public void TryInject_PortIdOutOfRangeOrFrameTooShortOrTooLong_Throws()
    {
        var wires = new Dictionary<string, TestWire> { ["a"] = new("a") };
        using DatapathHost bridge = Start(wires, workers: 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => bridge.TryInject(8, new byte[60]));
        Assert.Throws<ArgumentException>(() => bridge.TryInject(0, new byte[13]));
        Assert.Throws<ArgumentException>(() => bridge.TryInject(0, new byte[DatapathHost.MaxControlFrameLength + 1]));
    }

    [Theory]
    [InlineData("afpacket")]
    [InlineData("afxdp")]
    public void PuntAndInject_HostOnAVethPeer_BpdusTakenAndInjectedFrameReceivedByteIdentical(string backend)
    {
        using VethLab? packetLab = backend == "afpacket" ? VethLab.Create() : null;
        using XdpPortLab? xdpLab = backend == "afxdp" ? new XdpPortLab(1) : null;
        (string host, string netns, string peer) = packetLab is not null
            ? (packetLab.Host, packetLab.Netns, packetLab.Peer)
            : (xdpLab!.Hosts[0], xdpLab.Lab.Netns, xdpLab.Peers[0]);
        using var bridge = new DatapathHost([host], new DatapathOptions(Workers: 1, PinWorkers: false, MaxPorts: 4), (name, _, _) =>
            xdpLab?.Ports[0] ?? (IPort)new AfPacketPort(NetInterface.Inspect(name), new AfPacketOptions(RxBlockCount: 8, TxFrameCount: 256)));
        bridge.PuntDestinations = PuntDestinations.Of([TestFrames.StpGroup]);
        bridge.Start();
        using RawSocket far = RawSocket.OpenIn(netns, peer, TestFrames.ExperimentalEtherType);

        byte[][] bpdus = [.. Enumerable.Range(0, 3).Select(i => TestFrames.StpBpdu(0x02CC_0000_0001, TestFrames.Marker($"{backend}-bpdu{i}")))];
        foreach (byte[] bpdu in bpdus)
        {
            far.Send(bpdu);
        }
        AssertPunted(bridge, bpdus, port: 0);

        byte[] injected = TestFrames.Numbered(42, 200, destination: 0x02CC_0000_0001, source: 0x02CC_0000_0002);
        Assert.True(bridge.TryInject(0, injected));
        Assert.Equal(injected, WaitFor(() => far.Receive(100), found: frame => frame is not null));

        // The loop's counters are plain writes another thread reads: wait until both show the frame, not one of them.
        DatapathStats stats = WaitFor(bridge.ReadStats, found: stats => stats.Loops[0].Punts.Injected == 1 && stats.Ports[0].Counters.TxPackets >= 1);
        Assert.Equal((3UL, 0UL, 0UL), (stats.Loops[0].Punts.Punted, stats.Loops[0].Punts.PuntDropped, stats.Loops[0].Punts.InjectDropped));
        Assert.Equal(1UL, stats.Ports[0].Counters.TxPackets);
    }

    private static DatapathHost Start(Dictionary<string, TestWire> wires, int workers)
    {
        var bridge = new DatapathHost([.. wires.Keys], new DatapathOptions(Workers: workers, PinWorkers: false, MaxPorts: 8), (name, _, _) => wires[name].Open());
        bridge.Start();
        return bridge;
    }

    /// <summary>Takes punted frames until as many came as expected (or 5 s passed): they must be <paramref name="expected"/>, in order, all from <paramref name="port"/>.</summary>
    private static void AssertPunted(DatapathHost bridge, byte[][] expected, int port)
    {
        var frames = new List<byte[]>();
        var ports = new List<int>();
        var buffer = new byte[DatapathHost.MaxControlFrameLength];
        WaitFor(() =>
        {
            int length = bridge.TryTakePunted(buffer, out int ingress);
            if (length >= 0)
            {
                frames.Add(buffer[..length]);
                ports.Add(ingress);
            }
            return frames.Count;
        }, found: taken => taken == expected.Length);
        Assert.Equal(expected, frames);
        Assert.All(ports, ingress => Assert.Equal(port, ingress));
    }

    private static ulong Sum(DatapathStats stats, Func<LoopStats, ulong> counter) => stats.Loops.Aggregate(0UL, (sum, w) => sum + counter(w));

    private static T WaitFor<T>(Func<T> read, Func<T, bool> found)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            T value = read();
            if (found(value))
            {
                return value;
            }
            Assert.True(DateTime.UtcNow < deadline, "not within 5 s");
            Thread.Sleep(5);
        }
    }
}
