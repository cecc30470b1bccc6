using System.Buffers.Binary;
using FastBridge.Datapath.Frames;

namespace FastBridge.Tests.Forwarding;

/// <summary>Builds raw Ethernet frames for forwarding tests.</summary>
internal static class TestFrames
{
    public const ushort ExperimentalEtherType = 0x88B5;

    public static ulong Mac(string text) => MacAddress.TryParse(text, out ulong mac) ? mac : throw new ArgumentException(text);

    public static byte[] Build(ulong destination, ulong source, ushort etherType = ExperimentalEtherType, int length = 60, byte fill = 0xA5)
    {
        var frame = new byte[length];
        MacAddress.Write(destination, frame);
        MacAddress.Write(source, frame.AsSpan(6));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), etherType);
        frame.AsSpan(14).Fill(fill);
        return frame;
    }

    public static byte[] Build(string destination, string source, ushort etherType = ExperimentalEtherType, int length = 60) =>
        Build(Mac(destination), Mac(source), etherType, length);
}
