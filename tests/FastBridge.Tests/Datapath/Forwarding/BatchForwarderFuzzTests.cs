// Ten million random frames through BatchForwarder over four in-memory ports with different MTUs and
// TX rings, random bursts on random ingress ports, ports going down and up: each burst is checked
// against ForwardingOracle (every copy byte for byte, every counter), the totals against the
// accounting identity, and the whole run must allocate nothing. The seed is random per run and named
// in any failure; FASTBRIDGE_FUZZ_SEED replays one.
using System.Diagnostics;
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Ports;
using Xunit.Abstractions;

namespace FastBridge.Tests.Datapath.Forwarding;

public sealed class BatchForwarderFuzzTests(ITestOutputHelper output)
{
    private const long FrameCount = 10_000_000;
    private const int Mtu = 1500;

    /// <summary>Small enough that random sources fill it within the first ~20k frames, so the full-table path runs too.</summary>
    private const int FdbMax = 4096;

    /// <summary>LLDP (0E) and 0D forwarded, the other link-local groups not.</summary>
    private const ushort GroupForwardMask = (1 << 0xE) | (1 << 0xD);

    [Fact]
    public void Process_TenMillionRandomFrames_EachForwardedOrCountedOnceAndNothingAllocated()
    {
        int seed = Environment.GetEnvironmentVariable("FASTBRIDGE_FUZZ_SEED") is { Length: > 0 } replay
            ? int.Parse(replay, System.Globalization.CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        var clock = Stopwatch.StartNew();
        try
        {
            Fuzz(seed);
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"seed {seed} (replay with FASTBRIDGE_FUZZ_SEED={seed}): {e.Message}\n{e}");
        }
        output.WriteLine($"seed {seed}: {FrameCount} frames in {clock.Elapsed.TotalSeconds:F1} s");
    }

    private void Fuzz(int seed)
    {
        // p1 takes jumbo frames, p2 drops long ones as too big, p3's 8-slot ring runs out within a burst and
        // it sends untagged frames only up to MTU + 14, as AF_PACKET does.
        MemoryPort[] ports = [new("p0", Mtu), new("p1", mtu: 9000), new("p2", mtu: 1000), new("p3", Mtu, txSlots: 8, packetSizeRule: true)];
        try
        {
            var states = new PortStates(ports.Length);
            var table = new PortSet(ports, states);
            var fdb = new FdbTable(FdbMax);
            var counters = new LoopCounters(ports.Length);
            var forwarder = new BatchForwarder(fdb, table, counters, GroupForwardMask);
            var oracle = new ForwardingOracle(ports, table, fdb, counters, GroupForwardMask);
            ulong[] stations = [.. Enumerable.Range(1, 16).Select(i => 0x02FB_7E57_0000UL | (uint)i)];
            var frames = new RandomFrames(seed, stations, ports.Length, minLength: 0, maxLength: Mtu + 64, Mtu, stripTags: true);
            var random = new Random(seed ^ 0x5EED);
            var batch = new FrameBatch();
            byte[] scratch = new byte[frames.MaxLength];
            long sent = 0;
            long bursts = 0;
            int down = -1;

            void Burst()
            {
                // The control plane takes a port down now and then (for ~200 bursts); a loop never receives on a port that is down.
                if (down < 0 && random.Next(2000) == 0)
                {
                    down = random.Next(1, ports.Length);
                    states.MarkDown(down, errno: 100);
                }
                else if (down >= 0 && random.Next(200) == 0)
                {
                    states.Reset(down);
                    down = -1;
                }
                int ingress;
                do
                {
                    ingress = random.Next(ports.Length);
                }
                while (!states.IsUp(ingress));
                int count = (int)Math.Min(random.Next(1, Bursts.DefaultFrames + 1), FrameCount - sent);
                for (int i = 0; i < count; i++)
                {
                    int length = frames.Next(scratch, ingress, out ushort tpid, out ushort tci);
                    ports[ingress].Inject(scratch.AsSpan(0, length), tpid, tci);
                }
                batch.Clear();
                ports[ingress].Receive(batch);
                forwarder.Process(batch, ingress, now: (uint)(bursts++ / 1000));
                oracle.Check(batch, ingress);
                ports[ingress].ReleaseReceived();
                sent += count;
            }

            // Warm-up (JIT tiers, the FDB filling) before allocations are counted; its frames count like the rest.
            while (sent < 100_000)
            {
                Burst();
            }
            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            while (sent < FrameCount)
            {
                Burst();
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

            ulong rx = 0, floods = 0, ingressDrops = 0, egress = 0, tx = 0;
            for (int port = 0; port < ports.Length; port++)
            {
                ref PortCounters c = ref counters.Ports[port];
                rx += c.RxPackets;
                floods += c.Floods;
                ingressDrops += c.Drops[(int)DropReason.Runt] + c.Drops[(int)DropReason.InvalidSource]
                    + c.Drops[(int)DropReason.LinkLocal] + c.Drops[(int)DropReason.SamePort];
                egress += c.TxPackets + c.Drops[(int)DropReason.TooBig] + c.Drops[(int)DropReason.NoTxRoom];
                tx += c.TxPackets;
            }
            output.WriteLine($"rx {rx}: unicast {oracle.Unicast}, flooded {floods} ({oracle.FloodCopies} copies), dropped on ingress {ingressDrops}; " +
                $"egress copies {egress}, transmitted {tx}; fdb {fdb.Count}/{fdb.MaxEntries}, learned {counters.Fdb.Learned}, moved {counters.Fdb.Moved}, full {counters.Fdb.Full}");
            Assert.Equal((ulong)FrameCount, rx);
            // Every received frame: known unicast, flooded, or dropped on ingress for exactly one reason.
            Assert.Equal(rx, (ulong)oracle.Unicast + floods + ingressDrops);
            // Every copy owed to an egress port: transmitted, or dropped there as too big or for want of TX room.
            Assert.Equal((ulong)(oracle.Unicast + oracle.FloodCopies), egress);
            Assert.Equal((ulong)oracle.Taken, tx);
            Assert.Equal(0, allocated);
            // The mix reached every rule, so the identity above is not true by emptiness.
            for (int reason = 0; reason <= (int)DropReason.NoTxRoom; reason++)
            {
                ulong total = 0;
                for (int port = 0; port < ports.Length; port++)
                {
                    total += counters.Ports[port].Drops[reason];
                }
                output.WriteLine($"dropped as {DropReasons.Label((DropReason)reason)}: {total}");
                Assert.True(total > 0, $"no frame was dropped as {DropReasons.Label((DropReason)reason)}");
            }
            Assert.True(oracle.Unicast > 0 && floods > 0 && counters.Fdb.Moved > 0 && counters.Fdb.Full > 0);
        }
        finally
        {
            foreach (MemoryPort port in ports)
            {
                port.Dispose();
            }
        }
    }
}
