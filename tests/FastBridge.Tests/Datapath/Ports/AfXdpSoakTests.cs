// Millions of frames through two AF_XDP ports without leaking or double-using a UMEM frame. The peers
// of the two veth pairs are joined by a Linux bridge in the lab's namespace, which floods the test
// frames (their destination is never learned) from one peer to the other; the test forwards port A to
// port B and B to A, so a few hundred injected frames circulate for as long as the test runs. One
// round in four goes out by copy (a foreign batch) instead of by descriptor. With a 9000 MTU, frames up
// to 9000 bytes circulate: most arrive as descriptor chains, are gathered and leave split over chained
// frames (multi-buffer). Bounded by count and time.
using System.Diagnostics;
using System.Runtime.InteropServices;
using FastBridge.Datapath.Ports;
using FastBridge.Datapath.Xdp;
using Xunit.Abstractions;

namespace FastBridge.Tests.Datapath.Ports;

public sealed unsafe class AfXdpSoakTests(ITestOutputHelper output)
{
    private const long TargetFrames = 2_000_000;
    private const int Injected = 256;
    private const int ForeignSlot = 9216;

    [Theory]
    [InlineData(XdpAttachMode.Native, 1500)]
    [InlineData(XdpAttachMode.Generic, 1500)]
    [InlineData(XdpAttachMode.Native, 9000)]
    [InlineData(XdpAttachMode.Generic, 9000)]
    public void Forward_MillionsOfFramesBothWays_NoFrameLeakedOrReused(XdpAttachMode mode, int mtu)
    {
        using var lab = new XdpPortLab(2, mode, frameCount: 4096, ringSize: 512, mtus: [mtu, mtu]);
        int step = LengthStep(mtu);
        string ns = lab.Lab.Netns, bridge = lab.Lab.Name("br");
        VethLab.Ip("netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
        VethLab.Ip("-n", ns, "link", "add", bridge, "type", "bridge");
        VethLab.Ip("-n", ns, "link", "set", lab.Peers[0], "master", bridge);
        VethLab.Ip("-n", ns, "link", "set", lab.Peers[1], "master", bridge);
        VethLab.Ip("-n", ns, "link", "set", bridge, "up");
        using (RawSocket injector = RawSocket.OpenIn(ns, lab.Peers[0], TestFrames.ExperimentalEtherType))
        {
            for (int i = 0; i < Injected; i++)
            {
                injector.Send(TestFrames.Numbered(i, 60 + i * step));
            }
        }

        var batch = new FrameBatch();
        var foreign = new FrameBatch();
        int[] all = Enumerable.Range(0, batch.Capacity).ToArray();
        byte* scratch = (byte*)NativeMemory.Alloc((nuint)(batch.Capacity * ForeignSlot));
        long forwarded = 0, noRoom = 0, corrupt = 0, rounds = 0;
        var clock = Stopwatch.StartNew();
        try
        {
            while (forwarded < TargetFrames && clock.Elapsed < TimeSpan.FromSeconds(20))
            {
                for (int ingress = 0; ingress < 2; ingress++)
                {
                    AfXdpPort from = lab.Ports[ingress], to = lab.Ports[1 - ingress];
                    batch.Clear();
                    int n = from.Receive(batch);
                    Assert.True(n >= 0, $"Receive: errno {-n}");
                    if (n == 0)
                    {
                        continue;
                    }
                    corrupt += CountCorrupt(batch, step);
                    FrameBatch outgoing = ++rounds % 4 == 0 ? CopyToForeign(batch, foreign, scratch) : batch;
                    int sent = to.Transmit(outgoing, all.AsSpan(0, n));
                    to.Flush();
                    from.ReleaseReceived();
                    forwarded += sent;
                    noRoom += n - sent;
                }
            }
        }
        finally
        {
            NativeMemory.Free(scratch);
        }
        double seconds = clock.Elapsed.TotalSeconds;

        // Clean stop: forward nothing more, drain what circulates, let every TX complete.
        var quiet = Stopwatch.StartNew();
        while (quiet.ElapsedMilliseconds < 200)
        {
            foreach (AfXdpPort port in lab.Ports)
            {
                batch.Clear();
                if (port.Receive(batch) > 0)
                {
                    quiet.Restart();
                }
                port.ReleaseReceived();
                port.Flush();
            }
        }
        Assert.True(lab.Quiesce());

        output.WriteLine($"{lab.Mode}, MTU {mtu}: {forwarded:N0} frames forwarded in {seconds:F1} s = {forwarded / seconds:N0} frames/s " +
            $"({lab.Ports[0].ZeroCopyTransmits + lab.Ports[1].ZeroCopyTransmits:N0} by descriptor, " +
            $"{lab.Ports[0].CopiedTransmits + lab.Ports[1].CopiedTransmits:N0} by copy, {noRoom:N0} without TX room); UMEM on huge pages: {lab.Umem.HugePages}");
        Assert.Equal(0, corrupt);
        Assert.True(forwarded > 100_000, $"only {forwarded} frames forwarded in {seconds:F1} s");
        Assert.True(lab.Ports[0].CopiedTransmits + lab.Ports[1].CopiedTransmits > 0);
        lab.AssertAccountingAtRest();
        foreach (AfXdpPort port in lab.Ports)
        {
            port.Dispose();
        }
        Assert.Equal(lab.Umem.FrameCount, lab.Umem.FreeCount);
    }

    /// <summary>Bytes between the lengths of consecutive injected frames: up to 1335 bytes at 1500, 8985 at 9000.</summary>
    private static int LengthStep(int mtu) => mtu >= 9000 ? 35 : 5;

    /// <summary>Test frames whose length or last byte does not match their sequence number.</summary>
    private static int CountCorrupt(FrameBatch batch, int step)
    {
        int corrupt = 0;
        for (int i = 0; i < batch.Count; i++)
        {
            ReadOnlySpan<byte> frame = batch[i].Bytes;
            if (!TestFrames.IsTest(frame))
            {
                continue;
            }
            int sequence = TestFrames.Sequence(frame);
            int length = 60 + sequence * step;
            if ((uint)sequence >= Injected || frame.Length != length || frame[length - 1] != (byte)((length - 1) * 7 + sequence))
            {
                corrupt++;
            }
        }
        return corrupt;
    }

    /// <summary>The same frames in memory no port owns, as an AF_PACKET port's would be.</summary>
    private static FrameBatch CopyToForeign(FrameBatch batch, FrameBatch foreign, byte* scratch)
    {
        foreign.Clear();
        for (int i = 0; i < batch.Count; i++)
        {
            byte* copy = scratch + i * ForeignSlot;
            batch[i].Bytes.CopyTo(new Span<byte>(copy, ForeignSlot));
            foreign.Add(copy, batch[i].Length);
        }
        return foreign;
    }
}
