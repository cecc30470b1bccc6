// N veth pairs with FastBridge's XDP program on each host end, one shared UMEM, and an AfXdpPort per
// host end, as one poll loop would hold them; the peer ends sit in the lab's namespace for raw sockets.
// A pair may have a jumbo MTU: its program is then frags-aware and the UMEM multi-buffer, as PortOpener
// sets them up. Dispose takes everything down in the right order (ports, attachments, UMEM, links, namespace).
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Ports;
using FastBridge.Datapath.Xdp;

namespace FastBridge.Tests.Datapath.Ports;

internal sealed class XdpPortLab : IDisposable
{
    private readonly List<XdpAttachment> _attachments = [];

    /// <summary>Bytes a received frame may have in one 4 KiB UMEM frame: more takes multi-buffer.</summary>
    public const int SingleBufferFrame = 4096 - 256;

    /// <param name="mtus">Each pair's MTU (1500 for all when null).</param>
    public XdpPortLab(int ports, XdpAttachMode mode = XdpAttachMode.Native, int frameCount = 4096, int ringSize = 512,
        int[]? mtus = null, int scratchFrames = Bursts.DefaultFrames)
    {
        mtus ??= Enumerable.Repeat(1500, ports).ToArray();
        try
        {
            Umem = new Umem(new UmemOptions(FrameCount: frameCount, MultiBuffer: mtus.Any(NeedsMultiBuffer)));
            for (int i = 0; i < ports; i++)
            {
                (string host, string peer) = Lab.AddVeth(((char)('p' + i)).ToString(), mtus[i]);
                NetInterfaceInfo iface = NetInterface.Inspect(host);
                XdpAttachment attachment = XdpAttachment.Attach(iface, mode, multiBuffer: NeedsMultiBuffer(mtus[i]));
                _attachments.Add(attachment);
                Hosts.Add(host);
                Peers.Add(peer);
                Ports.Add(new AfXdpPort(iface, attachment, Umem, 0, new AfXdpOptions(ringSize, scratchFrames)));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public VethLab Lab { get; } = new();

    public Umem Umem { get; } = null!;

    public List<AfXdpPort> Ports { get; } = [];

    public List<string> Hosts { get; } = [];

    public List<string> Peers { get; } = [];

    public XdpAttachMode Mode => _attachments[0].Mode;

    public static bool NeedsMultiBuffer(int mtu) => mtu + 18 > SingleBufferFrame;

    /// <summary>A raw socket on pair <paramref name="i"/>'s peer, for frames of the test EtherType.</summary>
    public RawSocket OpenPeer(int i) => Lab.OpenPeer(Peers[i]);

    /// <summary>Sends <paramref name="frame"/> into pair <paramref name="i"/>'s peer and receives it on port i; its index in <paramref name="batch"/>, which the port still holds.</summary>
    public int SendThroughPeer(int i, byte[] frame, FrameBatch batch)
    {
        using (RawSocket far = OpenPeer(i))
        {
            far.Send(frame);
        }
        return PortReceive.TestFrame(Ports[i], batch);
    }

    /// <summary>
    /// Sends <paramref name="frames"/> into the peer of port <paramref name="from"/> (at most 64 ahead of the
    /// port, so no ring overruns), forwards its test frames to port <paramref name="to"/> as a poll loop would
    /// (Receive, Transmit, Flush, ReleaseReceived), and returns the test frames the peer of <paramref name="to"/>
    /// received, in order, once as many arrived as were sent or 20 s passed.
    /// </summary>
    public List<byte[]> Forward(int from, int to, IReadOnlyList<byte[]> frames)
    {
        using RawSocket farA = OpenPeer(from);
        using RawSocket farB = OpenPeer(to);
        AfXdpPort a = Ports[from], b = Ports[to];
        var batch = new FrameBatch();
        int[] all = Enumerable.Range(0, batch.Capacity).ToArray();
        var received = new List<byte[]>();
        int sent = 0, forwarded = 0;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (received.Count < frames.Count && DateTime.UtcNow < deadline)
        {
            while (sent < frames.Count && sent - forwarded < 64)
            {
                farA.Send(frames[sent++]);
            }
            batch.Clear();
            int n = a.Receive(batch);
            if (n > 0)
            {
                int[] tests = all[..n].Where(i => TestFrames.IsTest(batch[i].Bytes)).ToArray();
                int queued = 0;
                while (queued < tests.Length && DateTime.UtcNow < deadline)
                {
                    queued += b.Transmit(batch, tests.AsSpan(queued));
                    b.Flush();
                }
                forwarded += tests.Length;
                a.ReleaseReceived();
            }
            b.Flush();
            while (farB.Receive(0) is byte[] frame)
            {
                if (TestFrames.IsTest(frame))
                {
                    received.Add(frame);
                }
            }
        }
        return received;
    }

    /// <summary>Reaps completions and refills until no frame is in flight (TX rings and completions drained, none held by the kernel between fill and RX ring); false on timeout.</summary>
    public bool Quiesce(int timeoutMs = 2000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        var batch = new FrameBatch();
        while (DateTime.UtcNow < deadline)
        {
            foreach (AfXdpPort port in Ports)
            {
                batch.Clear();
                port.Receive(batch);
                port.ReleaseReceived();
                port.Flush();
            }
            // The last check: a stray frame (the peer's IPv6 router solicitation) the kernel has taken from a
            // fill ring but not yet put on the RX ring is in neither; wait until the kernel holds none.
            if (Umem.CountIn(FrameState.Tx) == 0 && Umem.CountIn(FrameState.Received) == 0
                && Umem.CountIn(FrameState.Fill) == Ports.Sum(p => p.FillCount))
            {
                return true;
            }
            Thread.Sleep(1);
        }
        return false;
    }

    /// <summary>Every frame is free or waiting in a fill ring, and the fill rings hold exactly those.</summary>
    public void AssertAccountingAtRest()
    {
        Assert.Equal(0, Umem.CountIn(FrameState.Received));
        Assert.Equal(0, Umem.CountIn(FrameState.Tx));
        Assert.Equal(Umem.FrameCount, Umem.FreeCount + Umem.CountIn(FrameState.Fill));
        Assert.Equal(Umem.CountIn(FrameState.Fill), Ports.Sum(p => p.FillCount));
    }

    public void Dispose()
    {
        foreach (AfXdpPort port in Ports)
        {
            port.Dispose();
        }
        foreach (XdpAttachment attachment in _attachments)
        {
            attachment.Dispose();
        }
        Umem?.Dispose();
        Lab.Dispose();
    }
}
