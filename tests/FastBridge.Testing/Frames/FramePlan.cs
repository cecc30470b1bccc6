// The frames a generator sends, built once in native memory and cycled through in order: Count
// frames, each of its own length (the bench's are all one RFC frame size less the 4-byte FCS veth
// never carries; the fuzz tests build random ones). The bench's frames are TestFrames' experimental
// EtherType 0x88B5 so no host stack does more than count and drop them; latency probes are
// marked 0x88B6 so only they reach the latency probe's socket.
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace FastBridge.Testing.Frames;

/// <summary>Writes frame <paramref name="index"/> into <paramref name="frame"/> (zeroed, the plan's longest) and returns its length.</summary>
internal delegate int FrameWriter(int index, Span<byte> frame);

internal sealed unsafe class FramePlan : IDisposable
{
    public const ushort TrafficType = TestFrames.ExperimentalEtherType, ProbeType = 0x88B6;

    /// <summary>The generator stamps sequence and send time here, after the Ethernet header.</summary>
    public const int SequenceOffset = 14, TimestampOffset = 22;

    private readonly byte* _frames;
    private readonly int _stride;
    private readonly int[] _lengths;

    private FramePlan(int maxLength, int count)
    {
        Count = count;
        _stride = (maxLength + 63) & ~63;
        _lengths = new int[count];
        _frames = (byte*)NativeMemory.AlignedAlloc((nuint)(_stride * (long)count), 64);
        new Span<byte>(_frames, _stride * count).Clear();
    }

    public int Count { get; }

    /// <summary>Count frames from source(i) to destination(i), i = 0..Count-1 (MACs as 48-bit integers), all frameSize - 4 bytes.</summary>
    public static FramePlan Create(int frameSize, int count, Func<int, ulong> source, Func<int, ulong> destination) =>
        Build(count, frameSize - 4, (i, frame) =>
        {
            TestFrames.WriteHeader(frame, destination(i), source(i), TrafficType);
            return frame.Length;
        });

    /// <summary>Count frames of at most <paramref name="maxLength"/> bytes, frame i as <paramref name="write"/> makes it.</summary>
    public static FramePlan Build(int count, int maxLength, FrameWriter write)
    {
        var plan = new FramePlan(maxLength, count);
        for (int i = 0; i < count; i++)
        {
            int length = write(i, new Span<byte>(plan._frames + (long)i * plan._stride, maxLength));
            plan._lengths[i] = length >= 0 && length <= maxLength
                ? length
                : throw new ArgumentException($"frame {i} is {length} bytes; the plan holds 0..{maxLength}");
        }
        return plan;
    }

    public byte* Frame(long sequence) => _frames + sequence % Count * _stride;

    public int Length(long sequence) => _lengths[sequence % Count];

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
