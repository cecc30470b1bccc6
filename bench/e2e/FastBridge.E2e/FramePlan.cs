// The frames a generator sends, built once in native memory: Count distinct frames of one wire
// length (the RFC frame size less the 4-byte FCS veth never carries), cycled through in order.
// Ethertype 0x88B5 (IEEE local experimental) so no host stack does more than count and drop them;
// latency probes are marked 0x88B6 so only they reach the latency probe's socket.
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using FastBridge.Datapath.Frames;

namespace FastBridge.E2e;

internal sealed unsafe class FramePlan : IDisposable
{
    public const ushort TrafficType = 0x88B5, ProbeType = 0x88B6;

    /// <summary>The generator stamps sequence and send time here, after the Ethernet header.</summary>
    public const int SequenceOffset = 14, TimestampOffset = 22;

    private readonly byte* _frames;
    private readonly int _stride;

    private FramePlan(int wireLength, int count)
    {
        WireLength = wireLength;
        Count = count;
        _stride = (wireLength + 63) & ~63;
        _frames = (byte*)NativeMemory.AlignedAlloc((nuint)(_stride * (long)count), 64);
        new Span<byte>(_frames, _stride * count).Clear();
    }

    public int WireLength { get; }

    public int Count { get; }

    /// <summary>Count frames from source(i) to destination(i), i = 0..Count-1 (MACs as 48-bit integers).</summary>
    public static FramePlan Create(int frameSize, int count, Func<int, ulong> source, Func<int, ulong> destination)
    {
        var plan = new FramePlan(frameSize - 4, count);
        for (int i = 0; i < count; i++)
        {
            var frame = new Span<byte>(plan._frames + (long)i * plan._stride, plan.WireLength);
            MacAddress.Write(destination(i), frame);
            MacAddress.Write(source(i), frame[6..]);
            BinaryPrimitives.WriteUInt16BigEndian(frame[12..], TrafficType);
        }
        return plan;
    }

    public byte* Frame(long sequence) => _frames + sequence % Count * _stride;

    public static void MarkProbe(byte* frame, long sequence, long realtimeNs)
    {
        var bytes = new Span<byte>(frame, TimestampOffset + 8);
        BinaryPrimitives.WriteUInt16BigEndian(bytes[12..], ProbeType);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[SequenceOffset..], sequence);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[TimestampOffset..], realtimeNs);
    }

    public static void UnmarkProbe(byte* frame) => BinaryPrimitives.WriteUInt16BigEndian(new Span<byte>(frame + 12, 2), TrafficType);

    public void Dispose() => NativeMemory.AlignedFree(_frames);
}
