// The moment the fast path takes a flow over: a sync writes the source's entry while its frames stream in,
// some of them still in the poll loop's socket. None may overtake them (the drain, FastPathMaps.Drains.cs).
// A thread spinning on the loop's CPU makes the loop fall behind by whole scheduler slices, as a loaded
// machine does (CI saw one frame out of order), so frames queue for it while the entry is written.
using FastBridge.ControlPlane.Switch;
using FastBridge.Datapath.Hosting;
using FastBridge.Datapath.Interop;
using FastBridge.Testing.Frames;

namespace FastBridge.Tests.ControlPlane.Switch;

public sealed partial class SwitchHostFastPathTests
{
    [Fact]
    public void Takeover_SourceWrittenMidStream_EveryFrameArrivesInOrder()
    {
        const int Frames = 1000, Tail = 20;
        using SwitchHost host = Start(2, groOn: [true, true]);
        _peers[1].Send(TestFrames.Numbered(1001, 64, 0xFFFF_FFFF_FFFF, Station(1)));
        Assert.Equal(1, ReceiveAll(0, 1));
        host.Datapath.SyncFastPath(); // Station(1) in the map; Station(0) unknown until its first frame below
        byte[][] frames = [.. Enumerable.Range(0, Frames).Select(i => TestFrames.Numbered(i, 64, Station(1), Station(0)))];

        int[] cpus = DatapathHost.LoopCpus(new DatapathOptions());
        int loopCpu = cpus[0], otherCpu = cpus[^1];
        bool sent = false;
        var hog = new Thread(() =>
        {
            CpuAffinity.TryPinCurrentThread(loopCpu);
            while (!Volatile.Read(ref sent))
            {
                Thread.SpinWait(1000);
            }
        });
        // Unpaced from another thread while this one syncs, so the entry lands while frames queue for the loop.
        var sender = new Thread(() =>
        {
            CpuAffinity.TryPinCurrentThread(otherCpu);
            foreach (byte[] frame in frames)
            {
                _peers[0].Send(frame);
                Thread.SpinWait(500); // about 15 ms in all: several scheduler slices, each queuing fewer frames than the ring holds
            }
            Volatile.Write(ref sent, true);
        });
        hog.Start();
        sender.Start();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (sender.IsAlive && DateTime.UtcNow < deadline)
        {
            host.Datapath.SyncFastPath();
        }
        Volatile.Write(ref sent, true);
        Assert.True(sender.Join(TimeSpan.FromSeconds(10)) && hog.Join(TimeSpan.FromSeconds(10)));

        // Then, the queue drained, the flow is the kernel's: a paced tail crosses there, still in order.
        WaitNothingInUserSpace(host);
        ulong before = host.Datapath.FastPathCounts(1).TxPackets;
        byte[][] tail = [.. Enumerable.Range(Frames, Tail).Select(i => TestFrames.Numbered(i, 64, Station(1), Station(0)))];
        foreach (byte[] frame in tail)
        {
            _peers[0].Send(frame);
            Thread.Sleep(1);
        }

        List<byte[]> got = Receive(1, Frames + Tail);
        Assert.Equal(Frames + Tail, got.Count);
        byte[][] sentAll = [.. frames, .. tail];
        for (int i = 0; i < sentAll.Length; i++)
        {
            Assert.True(sentAll[i].AsSpan().SequenceEqual(got[i]), $"frame {i} at the peer is not frame {i} as sent (reordered)");
        }
        Assert.Equal((ulong)Tail, host.Datapath.FastPathCounts(1).TxPackets - before);
    }
}
