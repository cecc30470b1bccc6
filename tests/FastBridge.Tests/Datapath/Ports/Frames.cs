// Test frames: Ethernet II with a local experimental EtherType (0x88B5) and a sequence number, so
// the far side can filter them from link chatter and check order and content.
using System.Buffers.Binary;
using FastBridge.Datapath.Frames;

namespace FastBridge.Tests.Ports;

internal static class Frames
{
    public const ushort TestEtherType = 0x88B5;

    public static byte[] Build(int sequence, int length, ulong destination = 0x02AA_0000_0001, ulong source = 0x02BB_0000_0002)
    {
        var frame = new byte[length];
        MacAddress.Write(destination, frame.AsSpan(0));
        MacAddress.Write(source, frame.AsSpan(6));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), TestEtherType);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(14), sequence);
        for (int i = 18; i < length; i++)
        {
            frame[i] = (byte)(i * 7 + sequence);
        }
        return frame;
    }

    public static bool IsTest(ReadOnlySpan<byte> frame) =>
        frame.Length >= 18 && BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) == TestEtherType;

    public static int Sequence(ReadOnlySpan<byte> frame) => BinaryPrimitives.ReadInt32BigEndian(frame[14..]);
}
