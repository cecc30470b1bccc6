using FastBridge.Datapath.Common;
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Ports;

namespace FastBridge.Tests.Datapath.Forwarding;

/// <summary>Principle 11: after start-up, forwarding allocates nothing, checked over a million frames.</summary>
public sealed class ZeroAllocationTests
{
    /// <param name="punting">LLDP punted to the control plane, which reads it and injects a frame on port 2 every burst, all on this thread.</param>
    /// <param name="policies">Port policies that take the policy paths without changing where port 0's frames go.</param>
    /// <param name="mirroring">Port 0's frames, both directions, mirrored to port 3 once the stations are learned.</param>
    [Theory]
    [InlineData(false, false, false)]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(false, false, true)]
    public void Process_MillionFramesOfMixedTraffic_AllocatesNothing(bool punting, bool policies, bool mirroring)
    {
        MemoryPort[] ports = [new("p0", replay: true), new("p1", replay: true), new("p2", replay: true), new("p3", replay: true)];
        try
        {
            var counters = new LoopCounters(ports.Length);
            ControlFrameQueues? control = punting ? new() { Destinations = PuntDestinations.Of([TestFrames.LldpGroup]) } : null;
            var table = new PortSet(ports, new PortStates(ports.Length));
            if (policies)
            {
                // Port 0's 16 sources over a limit of 8: the limited learning path every burst, half of it held back.
                table.States.Learning.Allow(0, 0, 8);
                table = table.WithPolicy(0, new PortPolicy(PortFlags.Default | PortFlags.Isolated, MaxLearned: 8, UnknownUnicastRate: 1_000_000_000)).WithPolicy(1, new PortPolicy(PortFlags.Default | PortFlags.Hairpin))
                    .WithPolicy(3, new PortPolicy(PortFlags.Default & ~PortFlags.McastFlood));
            }
            var forwarder = new BatchForwarder(new FdbTable(4096), table, counters, groupForwardMask: 0, control: control);
            var batch = new FrameBatch();
            byte[] injected = TestFrames.Sized(MacAddress(2), MacAddress(1), TestFrames.MinFrame);
            byte[] punted = new byte[FrameRing.DefaultSlotLength];

            // Stations 1..3 live behind ports 1..3; port 0 sends them known unicast, unknown unicast, broadcast and LLDP.
            for (int port = 1; port < ports.Length; port++)
            {
                ports[port].Inject(TestFrames.Sized(0xFFFF_FFFF_FFFFUL, MacAddress((ulong)port), TestFrames.MinFrame));
            }
            for (int i = 0; i < Bursts.DefaultFrames; i++)
            {
                ulong destination = (i % 8) switch
                {
                    0 => 0xFFFF_FFFF_FFFFUL,
                    1 => 0x0180_C200_000EUL,
                    2 => 0x0200_0000_9999UL,
                    _ => MacAddress((ulong)(1 + i % 3)),
                };
                ports[0].Inject(TestFrames.Sized(destination, MacAddress(0x100 + (ulong)(i % 16)), 60 + i));
            }

            void Burst(int ingress)
            {
                batch.Clear();
                ports[ingress].Receive(batch);
                forwarder.Process(batch, ingress, now: 7);
                ports[ingress].ReleaseReceived();
                if (control is not null)
                {
                    while (control.Punted.TryRead(punted, out _) >= 0)
                    {
                    }
                    control.Injected.TryWrite(2, injected);
                    forwarder.TransmitInjected();
                }
            }

            for (int port = 1; port < ports.Length; port++)
            {
                Burst(port);
            }
            if (mirroring)
            {
                forwarder.Ports = table.WithMirrors(MirrorTable.Of([new Mirror("m", [0], MirrorDirection.Both, 3)], ports.Length));
            }
            for (int i = 0; i < 1000; i++)
            {
                Burst(0);
            }

            const int BurstCount = 1_000_000 / Bursts.DefaultFrames;
            long sentBefore = ports[1].TransmittedTotal;
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < BurstCount; i++)
            {
                Burst(0);
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.Equal(0, allocated);
            Assert.True(counters.Ports[0].RxPackets >= 1_000_000UL);
            // Port 1 gets the broadcasts, the unknown unicast and the known unicast to station 1; never LLDP.
            int perBurst = 0;
            for (int i = 0; i < Bursts.DefaultFrames; i++)
            {
                perBurst += (i % 8) switch { 0 or 2 => 1, 1 => 0, _ => i % 3 == 0 || (mirroring && i % 3 == 2) ? 1 : 0 }; // station 3, behind the mirror destination, is flooded to
            }
            Assert.Equal((long)BurstCount * perBurst, ports[1].TransmittedTotal - sentBefore);
            if (control is not null)
            {
                Assert.Equal(counters.Ports[0].RxPackets / 8, counters.Punts.Punted);
                Assert.Equal((0UL, 0UL), (counters.Punts.PuntDropped, counters.Punts.InjectDropped));
                Assert.True(counters.Punts.Injected >= BurstCount);
            }
        }
        finally
        {
            foreach (MemoryPort port in ports)
            {
                port.Dispose();
            }
        }
    }

    private static ulong MacAddress(ulong low) => 0x0200_0000_0000UL | low;
}
