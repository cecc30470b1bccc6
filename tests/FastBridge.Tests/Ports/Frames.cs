// Test frames: Ethernet II with a local experimental EtherType (0x88B5) and a sequence number, so
// the far side can filter them from link chatter and check order and content.
using System.Buffers.Binary;

namespace FastBridge.Tests.Ports;

internal static class Frames
{
    public const ushort TestEtherType = 0x88B5;

    public static byte[] Build(int sequence, int length, ulong destination = 0x02AA_0000_0001, ulong source = 0x02BB_0000_0002)
    {
        var frame = new byte[length];
        WriteMac(frame.AsSpan(0), destination);
        WriteMac(frame.AsSpan(6), source);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), TestEtherType);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(14), sequence);
        for (int i = 18; i < length; i++)
        {
            frame[i] = (byte)(i * 7 + sequence);
        }
        return frame;
    }

    /// <summary>The same frame with an 802.1Q/802.1ad tag inserted after the MAC addresses.</summary>
    public static byte[] Tagged(byte[] frame, ushort tpid, ushort tci)
    {
        var tagged = new byte[frame.Length + 4];
        frame.AsSpan(0, 12).CopyTo(tagged);
        BinaryPrimitives.WriteUInt16BigEndian(tagged.AsSpan(12), tpid);
        BinaryPrimitives.WriteUInt16BigEndian(tagged.AsSpan(14), tci);
        frame.AsSpan(12).CopyTo(tagged.AsSpan(16));
        return tagged;
    }

    public static bool IsTest(ReadOnlySpan<byte> frame) =>
        frame.Length >= 18 && BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) == TestEtherType;

    public static int Sequence(ReadOnlySpan<byte> frame) => BinaryPrimitives.ReadInt32BigEndian(frame[14..]);

    private static void WriteMac(Span<byte> span, ulong mac)
    {
        for (int i = 5; i >= 0; i--)
        {
            span[i] = (byte)mac;
            mac >>= 8;
        }
    }
}
