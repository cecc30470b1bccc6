// What a VLAN tag pushed on AF_XDP costs (issue 13): a frame that leaves as it came moves by descriptor, a frame
// whose egress port sends its VLAN tagged is copied into a free UMEM frame with the tag written (AfXdpPort.Transmit's
// copy path). Two AF_XDP ports on veth pairs (native XDP, copy mode as veth has it) whose peers a Linux bridge joins
// in a namespace, as AfXdpSoakTests does: 256 injected 60-byte frames circulate (what a port receives is sent on the
// other, and the bridge brings it back to the first), so each operation forwards 8192 frames through receive,
// transmit, kick and the kernel's veth and bridge path. "untagged": every frame by descriptor. "push": a frame that
// came untagged leaves with VLAN 10 pushed. Every frame here comes back untagged: the bridge takes a tag into the
// skb's metadata (skb_vlan_untag), veth passes it on there, and XDP sees only the bytes, so every frame is pushed
// (a frame that came tagged would leave with its tag popped, by descriptor). Time per frame; the cleanup prints how
// many frames took each path. As root; the links and namespace go with GlobalCleanup.
using BenchmarkDotNet.Attributes;
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Frames;
using FastBridge.Datapath.Ports;
using FastBridge.Datapath.Xdp;
using FastBridge.Testing.Frames;
using FastBridge.Testing.Lab;
using FastBridge.Testing.Traffic;

namespace FastBridge.Benchmarks;

public class AfXdpTagBenchmarks
{
    private const int FramesPerOperation = 8192;
    private const int Injected = 256;

    private VethLab? _lab;
    private Umem? _umem;
    private readonly List<XdpAttachment> _attachments = [];
    private readonly List<AfXdpPort> _ports = [];
    private readonly FrameBatch _batch = new();
    private int[] _all = [];

    [Params("untagged", "push")]
    public string Case { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _lab = new VethLab();
        _umem = new Umem(new UmemOptions(FrameCount: 4096, MultiBuffer: false));
        var peers = new List<string>();
        for (int i = 0; i < 2; i++)
        {
            (string host, string peer) = _lab.AddVeth(((char)('p' + i)).ToString());
            NetInterfaceInfo iface = NetInterface.Inspect(host);
            XdpAttachment attachment = XdpAttachment.Attach(iface, XdpAttachMode.Native, multiBuffer: false);
            _attachments.Add(attachment);
            _ports.Add(new AfXdpPort(iface, attachment, _umem, 0, new AfXdpOptions(512, Bursts.DefaultFrames)));
            peers.Add(peer);
        }
        string ns = _lab.Netns, bridge = _lab.Name("br");
        VethLab.Ip("netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
        VethLab.Ip("-n", ns, "link", "add", bridge, "type", "bridge");
        VethLab.Ip("-n", ns, "link", "set", peers[0], "master", bridge);
        VethLab.Ip("-n", ns, "link", "set", peers[1], "master", bridge);
        VethLab.Ip("-n", ns, "link", "set", bridge, "up");
        using RawSocket injector = RawSocket.OpenIn(ns, peers[0], TestFrames.ExperimentalEtherType);
        for (int i = 0; i < Injected; i++)
        {
            injector.Send(TestFrames.Numbered(i, 60));
        }
        _all = [.. Enumerable.Range(0, _batch.Capacity)];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // Proof the cases took the paths they name: the push copies, the rest go by descriptor.
        Console.WriteLine($"// {Case}: {_ports[0].ZeroCopyTransmits + _ports[1].ZeroCopyTransmits:N0} frames sent by descriptor, {_ports[0].CopiedTransmits + _ports[1].CopiedTransmits:N0} by copy");
        foreach (AfXdpPort port in _ports)
        {
            port.Dispose();
        }
        foreach (XdpAttachment attachment in _attachments)
        {
            attachment.Dispose();
        }
        _umem?.Dispose();
        _lab?.Dispose();
    }

    [Benchmark(OperationsPerInvoke = FramesPerOperation)]
    public long Forward()
    {
        bool tag = Case != "untagged";
        long forwarded = 0;
        long started = Environment.TickCount64;
        while (forwarded < FramesPerOperation)
        {
            forwarded += Hop(_ports[0], _ports[1], tag) + Hop(_ports[1], _ports[0], tag);
            if (Environment.TickCount64 - started > 10_000)
            {
                throw new InvalidOperationException($"only {forwarded} frames forwarded in 10 s: the circulating frames were lost");
            }
        }
        return forwarded;
    }

    /// <summary>
    /// A frame that came untagged leaves tagged (VLAN 10 in metadata, written as the frame is copied); one that came
    /// tagged leaves untagged (the tag out of the frame in place, by descriptor), so no frame grows round after round.
    /// </summary>
    private static void PushOrPop(ref FrameRef frame)
    {
        VlanTag tag = frame.OuterTag;
        if (tag.IsPresent)
        {
            VlanEditing.StripInPlace(ref frame, tag);
            frame.StrippedTpid = 0;
            frame.StrippedTci = 0;
        }
        else
        {
            frame.StrippedTpid = VlanTag.CustomerTpid;
            frame.StrippedTci = 10;
        }
    }

    private int Hop(AfXdpPort from, AfXdpPort to, bool tag)
    {
        _batch.Clear();
        int received = from.Receive(_batch);
        if (received <= 0)
        {
            return 0;
        }
        if (tag)
        {
            for (int i = 0; i < received; i++)
            {
                PushOrPop(ref _batch[i]);
            }
        }
        int sent = to.Transmit(_batch, _all.AsSpan(0, received));
        to.Flush();
        from.ReleaseReceived();
        return sent;
    }
}
