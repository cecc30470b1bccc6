// Port mirroring (SPAN) as an operator sees it: h1's port mirrored rx, tx or both to h4's port, and tcpdump
// on h4's end. Each case runs on the Linux bridge (the reference: tc mirred from h1's port, h4's port out
// of the bridge) and on FastBridge on both backends and with the fast path. The traffic arrives as it
// would without a mirror (Deliver checks every host), and tcpdump sees one byte-identical copy of exactly
// each frame h1's port received (rx) or sent (tx) — broadcasts, floods and known unicast alike, the lab's
// sentinels included — and nothing of the traffic between h2 and h3. Each test builds and removes its lab.
using FastBridge.Datapath.Frames;

namespace FastBridge.Tests.Integration;

[Collection(IntegrationCollection.Name)]
public sealed class MirrorTests
{
    /// <summary>The mirrored host and the one on the mirror's destination port.</summary>
    private const int Source = 1, Destination = 4;

    /// <summary>How long tcpdump may lag behind the last frame's arrival at its receivers.</summary>
    private static readonly TimeSpan s_copiesTimeout = TimeSpan.FromSeconds(3);

    public static TheoryData<string, string> EverySwitchAndDirection
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (string kind in ForwardingTests.EverySwitch)
            {
                foreach (string direction in (string[])["rx", "tx", "both"])
                {
                    data.Add(kind, direction);
                }
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(EverySwitchAndDirection))]
    public void MirrorOfH1_TcpdumpOnDestination_SeesExactlyH1sFramesByteIdentical(string kind, string direction)
    {
        using SwitchLab lab = SwitchLab.Start(kind, hosts: 4, fastBridgeArgs: FastBridgeSwitch.ApiArgs());
        lab.SentinelReaches = (_, to) => to != Destination; // it takes no part in forwarding
        lab.Switch.AddMirror($"span{lab.RunId}", [lab[Source].PortInterface], direction, lab[Destination].PortInterface);
        using TcpdumpCapture tcpdump = TcpdumpCapture.Start(lab[Destination]);
        var run = new MirrorRun(lab, Rx: direction != "tx", Tx: direction != "rx");

        run.Send(1, MacAddress.Broadcast, "broadcast-h1", 2, 3);
        run.Send(2, MacAddress.Broadcast, "broadcast-h2", 1, 3);
        run.Send(3, MacAddress.Broadcast, "broadcast-h3", 1, 2);
        Thread.Sleep(lab.Switch.Settle); // with the fast path, h2 <-> h3 is the kernel's from here
        run.Send(1, SwitchLab.HostMac(2), "known-h1-to-h2", 2);
        run.Send(2, SwitchLab.HostMac(1), "known-h2-to-h1", 1);
        run.Send(2, SwitchLab.HostMac(3), "known-h2-to-h3", 3);
        run.Send(3, SwitchLab.HostMac(2), "known-h3-to-h2", 2);
        run.Send(3, ForwardingTests.UnknownMac, "unknown-from-h3", 1, 2);
        run.Send(1, ForwardingTests.UnknownMac, "unknown-from-h1", 2, 3);
        run.SendSized(1, SwitchLab.HostMac(3), "known-h1-to-h3-1514", TestFrames.MaxUntaggedFrame, 3);
        run.SendSized(3, SwitchLab.HostMac(1), "known-h3-to-h1-1514", TestFrames.MaxUntaggedFrame, 1);

        tcpdump.WaitForCount(run.Copies.Count, s_copiesTimeout);
        Thread.Sleep(TimeSpan.FromMilliseconds(200)); // room for a copy too many to show
        List<byte[]> captured = tcpdump.Stop();
        string[] missing = [.. Except(run.Copies, captured).Select(Describe)];
        string[] extra = [.. Except(captured, run.Copies).Select(Describe)];
        if (missing.Length > 0 || extra.Length > 0)
        {
            lab.Fail($"mirror {direction} of h1: tcpdump on h4 saw {captured.Count} frames, expected {run.Copies.Count}\n"
                + $"missing: {string.Join("; ", missing)}\nnot expected: {string.Join("; ", extra)}");
        }
        lab.Finish();
    }

    /// <summary>The frames of <paramref name="frames"/> left when each of <paramref name="others"/> takes away one equal frame.</summary>
    private static List<byte[]> Except(IEnumerable<byte[]> frames, IEnumerable<byte[]> others)
    {
        List<byte[]> left = [.. frames];
        foreach (byte[] other in others)
        {
            int at = left.FindIndex(f => f.AsSpan().SequenceEqual(other));
            if (at >= 0)
            {
                left.RemoveAt(at);
            }
        }
        return left;
    }

    /// <summary>A frame's marker text (after the header) and length, for a failure message.</summary>
    private static string Describe(byte[] frame) =>
        $"{new string([.. frame.Skip(14).Take(32).Select(b => b is >= 0x20 and < 0x7F ? (char)b : '.')])} ({frame.Length} B)";

    /// <summary>Sends the steps through the lab and keeps the copies the mirror owes for each frame and its sentinel.</summary>
    private sealed record MirrorRun(SwitchLab Lab, bool Rx, bool Tx)
    {
        public List<byte[]> Copies { get; } = [];

        /// <summary>Delivers a frame from <paramref name="from"/> to exactly <paramref name="receivers"/>, and to the destination if the mirror copies it.</summary>
        public void Send(int from, ulong destination, string what, params int[] receivers) =>
            SendSized(from, destination, what, TestFrames.MinFrame, receivers);

        public void SendSized(int from, ulong destination, string what, int length, params int[] receivers)
        {
            byte[] marker = Lab.NextMarker(what);
            byte[] frame = TestFrames.Experimental(destination, SwitchLab.HostMac(from), marker, length);
            bool copied = Copied(from, receivers);
            Lab.Deliver(from, frame, marker, copied ? [.. receivers, Destination] : receivers);
            if (copied)
            {
                Copies.Add(frame);
            }
            if (Copied(from, [.. Enumerable.Range(1, Lab.Hosts.Count).Where(h => h != from && h != Destination)]))
            {
                Copies.Add(Lab.LastSentinel!); // a broadcast: it leaves by every forwarding port
            }
        }

        /// <summary>rx: received on the source port; tx: sent out of it.</summary>
        private bool Copied(int from, int[] receivers) => (Rx && from == Source) || (Tx && receivers.Contains(Source));
    }
}
