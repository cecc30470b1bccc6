using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Ports;
using FastBridge.Datapath.Hosting;

namespace FastBridge.Tests.Datapath.Forwarding;

/// <summary>Ports added and removed on a running bridge (live poll loops) while traffic flows on others.</summary>
public sealed class DatapathHostLivePortsTests
{
    private const string A = "02:00:00:00:01:0a";
    private const string B = "02:00:00:00:01:0b";

    private static DatapathHost Start(Dictionary<string, TestWire> wires, int workers, int maxPorts, params string[] initial)
    {
        foreach (string name in initial)
        {
            wires[name] = new TestWire(name);
        }
        var options = new DatapathOptions(Workers: workers, PinWorkers: false, MaxPorts: maxPorts);
        var bridge = new DatapathHost(initial, options, (name, _, _) =>
        {
            lock (wires)
            {
                return (wires.TryGetValue(name, out TestWire? wire) ? wire : wires[name] = new TestWire(name)).Open();
            }
        });
        bridge.Start();
        return bridge;
    }

    private static int CountFrom(List<byte[]> frames, ulong source) => frames.Count(f => FastBridge.Datapath.Frames.MacAddress.Read(f.AsSpan(6, 6)) == source);

    [Fact]
    public void AddRemovePort_UnderContinuousTraffic_LosesNoFrameBetweenOtherPortsAndNeverTouchesRetiredHandles()
    {
        var wires = new Dictionary<string, TestWire>();
        using DatapathHost bridge = Start(wires, workers: 2, maxPorts: 16, "a", "b", "c");
        byte[] aToB = TestFrames.Sized(TestFrames.Mac(B), TestFrames.Mac(A), TestFrames.MinFrame);
        byte[] bToA = TestFrames.Sized(TestFrames.Mac(A), TestFrames.Mac(B), TestFrames.MinFrame);
        const int Frames = 20_000;
        var received = new Dictionary<string, List<byte[]>> { ["a"] = [], ["b"] = [] };
        using var trafficDone = new ManualResetEventSlim();
        // Taken before the thread starts: the port opener adds to the dictionary while the thread runs.
        TestWire wireA = wires["a"], wireB = wires["b"];
        var traffic = new Thread(() =>
        {
            for (int sent = 0; sent < Frames; sent++)
            {
                wireA.Inject(aToB);
                wireB.Inject(bToA);
                if (sent % 64 == 63)
                {
                    // Bounded: never more than a few bursts queued.
                    while (wireA.Pending > 512 || wireB.Pending > 512)
                    {
                        Thread.Sleep(0);
                    }
                }
            }
            trafficDone.Set();
        });
        traffic.Start();

        int changes = 0;
        while (!trafficDone.IsSet || changes < 6)
        {
            bridge.AddPort("d");
            Assert.True(bridge.RemovePort("c", TimeSpan.FromSeconds(2)));
            bridge.AddPort("c");
            Assert.True(bridge.RemovePort("d", TimeSpan.FromSeconds(2)));
            changes += 4;
            received["a"].AddRange(wires["a"].TakeTransmitted());
            received["b"].AddRange(wires["b"].TakeTransmitted());
        }
        traffic.Join();

        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while ((CountFrom(received["b"], TestFrames.Mac(A)) < Frames || CountFrom(received["a"], TestFrames.Mac(B)) < Frames) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(10);
            received["a"].AddRange(wires["a"].TakeTransmitted());
            received["b"].AddRange(wires["b"].TakeTransmitted());
        }

        Assert.Equal(Frames, CountFrom(received["b"], TestFrames.Mac(A)));
        Assert.Equal(Frames, CountFrom(received["a"], TestFrames.Mac(B)));
        Assert.All(wires.Values, w => Assert.Equal(0, w.UseAfterDispose));
        DatapathStats stats = bridge.ReadStats();
        Assert.Equal((ulong)Frames, stats.Ports[0].Counters.RxPackets);
        Assert.Equal((ulong)Frames, stats.Ports[1].Counters.RxPackets);
        Assert.True(changes >= 6, $"only {changes} port changes happened during traffic");
    }

    [Fact]
    public void RemovePort_FlushesItsDynamicAndStaticEntries_KeepsItsCounters()
    {
        var wires = new Dictionary<string, TestWire>();
        using DatapathHost bridge = Start(wires, workers: 1, maxPorts: 8, "a", "b");
        wires["b"].Inject(TestFrames.Sized(TestFrames.Mac(A), TestFrames.Mac(B), TestFrames.MinFrame));
        WaitFor(() => bridge.Fdb.Lookup(FdbKey.Make(TestFrames.Mac(B), 0)) == 1);
        Assert.True(bridge.Fdb.AddStatic(FdbKey.Make(TestFrames.Mac("02:00:00:00:01:99"), 0), 1));

        Assert.True(bridge.RemovePort("b", TimeSpan.FromSeconds(2)));

        Assert.Equal(FdbTable.Miss, bridge.Fdb.Lookup(FdbKey.Make(TestFrames.Mac(B), 0)));
        Assert.Equal(FdbTable.Miss, bridge.Fdb.Lookup(FdbKey.Make(TestFrames.Mac("02:00:00:00:01:99"), 0)));
        PortStats removed = bridge.ReadStats().Ports[1];
        Assert.False(removed.Present);
        Assert.Equal(1UL, removed.Counters.RxPackets);
        Assert.Equal(-1, bridge.PortId("b"));
    }

    [Fact]
    public void AddPort_ReAddedName_GetsItsOldIdAndCountersContinue()
    {
        var wires = new Dictionary<string, TestWire>();
        using DatapathHost bridge = Start(wires, workers: 1, maxPorts: 8, "a", "b");
        wires["b"].Inject(TestFrames.Sized(TestFrames.Mac(A), TestFrames.Mac(B), TestFrames.MinFrame));
        WaitFor(() => bridge.ReadStats().Ports[1].Counters.RxPackets == 1);
        bridge.RemovePort("b", TimeSpan.FromSeconds(2));

        Assert.Equal(1, bridge.AddPort("b"));
        Assert.Equal(2, bridge.AddPort("c"));
        wires["b"].Inject(TestFrames.Sized(TestFrames.Mac(A), TestFrames.Mac(B), TestFrames.MinFrame));

        WaitFor(() => bridge.ReadStats().Ports[1].Counters.RxPackets == 2);
        Assert.True(bridge.ReadStats().Ports[1].Present);
    }

    [Fact]
    public void AddPort_AlreadyPresent_Throws_RemovePort_Unknown_Throws()
    {
        var wires = new Dictionary<string, TestWire>();
        using DatapathHost bridge = Start(wires, workers: 1, maxPorts: 8, "a", "b");

        Assert.Contains("already present", Assert.Throws<InvalidOperationException>(() => bridge.AddPort("a")).Message);
        Assert.Contains("unknown port zz", Assert.Throws<KeyNotFoundException>(() => bridge.RemovePort("zz", TimeSpan.FromSeconds(1))).Message);
    }

    [Fact]
    public void AddPort_IdsUsedUp_ThrowsAndChangesNothing()
    {
        var wires = new Dictionary<string, TestWire>();
        using DatapathHost bridge = Start(wires, workers: 1, maxPorts: 2, "a", "b");

        Assert.Contains("port ids are used", Assert.Throws<InvalidOperationException>(() => bridge.AddPort("c")).Message);
        Assert.Equal(2, bridge.PresentPorts().Count);
    }

    private static void WaitFor(Func<bool> condition)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(5);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 5 s");
            Thread.Sleep(5);
        }
    }
}
