// Builds the raw frames the tests and the benches send: the one frame builder. Test frames use
// EtherType 0x88B5 (IEEE local experimental), so no host stack does more than count and drop them,
// and carry an ASCII marker unique to the test step or a sequence number, so a capture can tell them
// apart from each other and from anything else on the wire. The e2e bench's FramePlan writes its
// headers with WriteHeader.
using System.Buffers.Binary;
using System.Text;
using FastBridge.Datapath.Frames;

namespace FastBridge.Testing.Frames;

internal static class TestFrames
{
    /// <summary>The test frames' EtherType, the 802.1Q and 802.1ad tag TPIDs, and the link-local protocols' EtherTypes.</summary>
    public const ushort ExperimentalEtherType = 0x88B5, CustomerTpid = 0x8100, ServiceTpid = 0x88A8, SlowProtocolsEtherType = 0x8809, LldpEtherType = 0x88CC;

    /// <summary>The IEEE link-local groups of STP, the slow protocols (LACP) and LLDP.</summary>
    public const ulong StpGroup = 0x0180_C200_0000UL, SlowProtocolsGroup = 0x0180_C200_0002UL, LldpGroup = 0x0180_C200_000EUL;

    /// <summary>60 bytes without FCS: anything shorter would be padded by somebody and break byte identity.</summary>
    public const int MinFrame = 60;

    public const int MaxUntaggedFrame = 1514;

    /// <summary>Destination, source and EtherType (or 802.3 length): the 14 bytes every frame here starts with.</summary>
    public static void WriteHeader(Span<byte> frame, ulong dst, ulong src, ushort typeOrLength)
    {
        MacAddress.Write(dst, frame);
        MacAddress.Write(src, frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], typeOrLength);
    }

    public static byte[] Marker(string text) => Encoding.ASCII.GetBytes(text);

    public static ulong Mac(string text) => MacAddress.TryParse(text, out ulong mac) ? mac : throw new ArgumentException($"not a MAC: {text}");

    /// <summary>A frame of exactly <paramref name="length"/> bytes (runts too), the payload filled with <paramref name="fill"/>.</summary>
    public static byte[] Sized(ulong dst, ulong src, int length, ushort typeOrLength = ExperimentalEtherType, byte fill = 0xA5)
    {
        var frame = new byte[length];
        if (length >= 14)
        {
            WriteHeader(frame, dst, src, typeOrLength);
            frame.AsSpan(14).Fill(fill);
        }
        return frame;
    }

    /// <summary>dst, src, EtherType (or 802.3 length), payload; zero-padded to 60 bytes.</summary>
    public static byte[] Ethernet(ulong dst, ulong src, ushort typeOrLength, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[Math.Max(MinFrame, 14 + payload.Length)];
        WriteHeader(frame, dst, src, typeOrLength);
        payload.CopyTo(frame.AsSpan(14));
        return frame;
    }

    /// <summary>An experimental frame of exactly <paramref name="length"/> bytes: marker, then seeded random bytes.</summary>
    public static byte[] Experimental(ulong dst, ulong src, byte[] marker, int length = MinFrame, int seed = 1)
    {
        var payload = new byte[length - 14];
        new Random(seed).NextBytes(payload);
        marker.CopyTo(payload, 0);
        return Ethernet(dst, src, ExperimentalEtherType, payload);
    }

    /// <summary>
    /// An experimental frame of exactly <paramref name="length"/> bytes numbered <paramref name="sequence"/>
    /// (big-endian after the header), the rest a pattern of the sequence, so the far side can check order and content.
    /// </summary>
    public static byte[] Numbered(int sequence, int length, ulong destination = 0x02AA_0000_0001, ulong source = 0x02BB_0000_0002)
    {
        var frame = new byte[length];
        WriteHeader(frame, destination, source, ExperimentalEtherType);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(14), sequence);
        for (int i = 18; i < length; i++)
        {
            frame[i] = (byte)(i * 7 + sequence);
        }
        return frame;
    }

    /// <summary>Whether <paramref name="frame"/> is one of ours: untagged, experimental EtherType, long enough for a sequence number.</summary>
    public static bool IsTest(ReadOnlySpan<byte> frame) =>
        frame.Length >= 18 && BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) == ExperimentalEtherType;

    /// <summary>The sequence number of a <see cref="Numbered"/> frame.</summary>
    public static int Sequence(ReadOnlySpan<byte> frame) => BinaryPrimitives.ReadInt32BigEndian(frame[14..]);

    /// <summary>Inserts a 4-byte tag (TPID, TCI) after the source MAC.</summary>
    public static byte[] Tagged(byte[] frame, ushort tpid, ushort tci)
    {
        var tagged = new byte[frame.Length + 4];
        frame.AsSpan(0, 12).CopyTo(tagged);
        BinaryPrimitives.WriteUInt16BigEndian(tagged.AsSpan(12), tpid);
        BinaryPrimitives.WriteUInt16BigEndian(tagged.AsSpan(14), tci);
        frame.AsSpan(12).CopyTo(tagged.AsSpan(16));
        return tagged;
    }

    /// <summary>An 802.1D configuration BPDU (802.3 length, LLC 42 42 03), marker in the padding after it.</summary>
    public static byte[] StpBpdu(ulong src, byte[] marker)
    {
        byte[] bpdu =
        [
            0x42, 0x42, 0x03,                                // LLC: DSAP, SSAP, UI
            0x00, 0x00, 0x00, 0x00, 0x00,                    // protocol 0, version 0, type config, flags
            0x80, 0x00, 0x02, 0xfb, 0x7e, 0x57, 0x00, 0x01,  // root id
            0x00, 0x00, 0x00, 0x00,                          // root path cost
            0x80, 0x00, 0x02, 0xfb, 0x7e, 0x57, 0x00, 0x01,  // bridge id
            0x80, 0x01,                                      // port id
            0x00, 0x00, 0x14, 0x00, 0x02, 0x00, 0x0f, 0x00,  // message age, max age 20 s, hello 2 s, forward delay 15 s
        ];
        return Ethernet(StpGroup, src, (ushort)bpdu.Length, [.. bpdu, .. marker]);
    }

    /// <summary>An LACPDU header (subtype 1, version 1) followed by the marker; enough for any switch to classify.</summary>
    public static byte[] Lacp(ulong src, byte[] marker) =>
        Ethernet(SlowProtocolsGroup, src, SlowProtocolsEtherType, [0x01, 0x01, .. marker]);

    /// <summary>LLDP: chassis id TLV (MAC subtype), then the marker.</summary>
    public static byte[] Lldp(ulong src, byte[] marker)
    {
        var chassis = new byte[9];
        chassis[0] = 0x02;
        chassis[1] = 0x07;
        chassis[2] = 0x04;
        MacAddress.Write(src, chassis.AsSpan(3));
        return Ethernet(LldpGroup, src, LldpEtherType, [.. chassis, .. marker]);
    }

    public static bool Contains(byte[] frame, byte[] marker) => frame.AsSpan().IndexOf(marker) >= 0;

    public static string Hex(byte[] frame) => Convert.ToHexStringLower(frame);
}
