// N veth pairs with FastBridge's XDP program on each host end, one shared UMEM, and an AfXdpPort per
// host end, as one poll loop would hold them; the peer ends sit in the lab's namespace for raw sockets.
// Dispose takes everything down in the right order (ports, attachments, UMEM, links, namespace).
using FastBridge.Datapath.Ports;
using FastBridge.Datapath.Xdp;

namespace FastBridge.Tests.Xdp;

internal sealed class XdpPortLab : IDisposable
{
    private readonly List<XdpAttachment> _attachments = [];

    public XdpPortLab(int ports, XdpAttachMode mode = XdpAttachMode.Native, int frameCount = 4096, int ringSize = 512)
    {
        try
        {
            Umem = new Umem(new UmemOptions(FrameCount: frameCount));
            for (int i = 0; i < ports; i++)
            {
                (string host, string peer) = Lab.AddVeth(((char)('p' + i)).ToString());
                NetInterfaceInfo iface = NetInterface.Inspect(host);
                XdpAttachment attachment = XdpAttachment.Attach(iface, mode);
                _attachments.Add(attachment);
                Hosts.Add(host);
                Peers.Add(peer);
                Ports.Add(new AfXdpPort(iface, attachment, Umem, 0, new AfXdpOptions(ringSize)));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public XdpLab Lab { get; } = new();

    public Umem Umem { get; } = null!;

    public List<AfXdpPort> Ports { get; } = [];

    public List<string> Hosts { get; } = [];

    public List<string> Peers { get; } = [];

    public XdpAttachMode Mode => _attachments[0].Mode;

    /// <summary>Reaps completions and refills until no frame is in flight (TX rings and completions drained); false on timeout.</summary>
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
            if (Umem.CountIn(FrameState.Tx) == 0 && Umem.CountIn(FrameState.Received) == 0)
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
