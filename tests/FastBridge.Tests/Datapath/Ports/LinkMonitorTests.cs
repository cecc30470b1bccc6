// The rtnetlink link monitor: parsing of hand-built messages (malformed ones included), and a real
// veth pair taken down, brought up and deleted while the monitor runs.
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using FastBridge.Datapath.Ports;

namespace FastBridge.Tests.Datapath.Ports;

public sealed class LinkMonitorTests
{
    private const ushort RtmNewlink = 16;
    private const ushort RtmDellink = 17;

    [Fact]
    public void Parse_NewAndDelLink_ReportsIndexNameFlagsAndMtu()
    {
        byte[] datagram = [.. Link(RtmNewlink, 7, flags: 0x1 | 0x40, "port7", mtu: 9000), .. Link(RtmDellink, 8, flags: 0, "port8", mtu: 1500)];
        var states = new List<LinkState>();

        LinkMonitor.Parse(datagram, states);

        Assert.Equal([new LinkState(7, "port7", true, true, true, 9000), new LinkState(8, "port8", false, false, false, 1500)], states);
    }

    [Fact]
    public void Parse_OtherMessagesAndNamelessLinks_Skipped()
    {
        byte[] done = Message(3, new byte[4]);
        byte[] nameless = Message(RtmNewlink, [.. new byte[16], .. Attribute(4, BitConverter.GetBytes(1500))]);
        var states = new List<LinkState>();

        LinkMonitor.Parse([.. done, .. nameless, .. Link(RtmNewlink, 2, 0x1, "up-no-carrier", 1500)], states);

        Assert.Equal([new LinkState(2, "up-no-carrier", true, true, false, 1500)], states);
    }

    [Theory]
    [InlineData(0)]      // length shorter than a header
    [InlineData(10_000)] // length past the datagram
    public void Parse_MalformedLength_StopsWithoutThrowingAndKeepsWhatCameBefore(int badLength)
    {
        byte[] bad = Link(RtmNewlink, 5, 0x41, "bad", 1500);
        BinaryPrimitives.WriteUInt32LittleEndian(bad, (uint)badLength);
        var states = new List<LinkState>();

        LinkMonitor.Parse([.. Link(RtmNewlink, 4, 0x41, "good", 1500), .. bad], states);

        Assert.Equal(["good"], states.Select(s => s.Name));
    }

    [Fact]
    public void Parse_AttributeLengthPastTheMessage_KeepsNothingOfIt()
    {
        byte[] message = Link(RtmNewlink, 6, 0x41, "cut", 1500);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(32), 2000); // the first attribute claims more than there is
        var states = new List<LinkState>();

        LinkMonitor.Parse(message, states);

        Assert.Empty(states);
    }

    [Fact]
    public void Parse_RandomBytes_NeverThrows()
    {
        var random = new Random(20261202);
        var states = new List<LinkState>();
        byte[] buffer = new byte[512];
        for (int i = 0; i < 100_000; i++)
        {
            random.NextBytes(buffer);
            // Half the time a plausible header, so the parser goes past the first check.
            if (i % 2 == 0)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(buffer, (uint)random.Next(0, 600));
                BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(4), random.Next(2) == 0 ? RtmNewlink : RtmDellink);
            }
            LinkMonitor.Parse(buffer.AsSpan(0, random.Next(buffer.Length)), states);
        }
    }

    [Fact]
    public void Monitor_VethSetDownUpAndDeleted_ReportsEachChange()
    {
        using VethLab lab = new VethLab();
        var seen = new BlockingCollection<LinkState>();
        var trouble = new ConcurrentQueue<string>();
        lab.AddLink(lab.Host, "type", "veth", "peer", "name", lab.Peer);
        VethLab.Ip("link", "set", lab.Peer, "up");
        using var monitor = new LinkMonitor(state => { if (state.Name == lab.Host) { seen.Add(state); } }, trouble.Enqueue);
        monitor.Start();

        LinkState first = Next(seen, s => true, "the first dump");
        Assert.True(first.Exists && !first.AdminUp, $"{first}");
        VethLab.Ip("link", "set", lab.Host, "mtu", "1400", "up");
        LinkState up = Next(seen, s => s.AdminUp && s.Running, "the host end running");
        Assert.Equal(1400, up.Mtu);
        VethLab.Ip("link", "set", lab.Peer, "down");
        Next(seen, s => s.AdminUp && !s.Running, "carrier lost when the peer went down");
        VethLab.Ip("link", "del", lab.Host);
        LinkState gone = Next(seen, s => !s.Exists, "the deletion");
        Assert.Equal(first.IfIndex, gone.IfIndex);
        Assert.Empty(trouble);
    }

    private static LinkState Next(BlockingCollection<LinkState> seen, Func<LinkState, bool> wanted, string what)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(5);
        while (seen.TryTake(out LinkState? state, deadline - DateTime.UtcNow > TimeSpan.Zero ? deadline - DateTime.UtcNow : TimeSpan.Zero))
        {
            if (wanted(state))
            {
                return state;
            }
        }
        Assert.Fail($"no link event for {what} within 5 s");
        return null!;
    }

    private static byte[] Link(ushort type, int ifIndex, uint flags, string name, int mtu)
    {
        byte[] info = new byte[16];
        BinaryPrimitives.WriteInt32LittleEndian(info.AsSpan(4), ifIndex);
        BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(8), flags);
        return Message(type, [.. info, .. Attribute(3, [.. Encoding.ASCII.GetBytes(name), 0]), .. Attribute(4, BitConverter.GetBytes(mtu))]);
    }

    private static byte[] Message(ushort type, byte[] body)
    {
        byte[] message = new byte[Align(16 + body.Length)];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)(16 + body.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(4), type);
        body.CopyTo(message.AsSpan(16));
        return message;
    }

    private static byte[] Attribute(ushort type, byte[] value)
    {
        byte[] attribute = new byte[Align(4 + value.Length)];
        BinaryPrimitives.WriteUInt16LittleEndian(attribute, (ushort)(4 + value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(attribute.AsSpan(2), type);
        value.CopyTo(attribute.AsSpan(4));
        return attribute;
    }

    private static int Align(int length) => (length + 3) & ~3;
}
