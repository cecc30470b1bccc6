// A burst of received frames (FrameRef) as pointers into backend-owned memory (an mmap ring, a UMEM,
// a native buffer). Allocated once per poll loop; the frames stay valid until the port that
// filled the batch is told ReleaseReceived.
using FastBridge.Datapath.Common;

namespace FastBridge.Datapath.Ports;

public sealed unsafe class FrameBatch
{
    private readonly FrameRef[] _frames;

    public FrameBatch(int capacity = Bursts.DefaultFrames) => _frames = new FrameRef[capacity];

    public int Capacity => _frames.Length;

    public int Count { get; private set; }

    public bool IsFull => Count == _frames.Length;

    public ref FrameRef this[int index] => ref _frames[index];

    public void Clear() => Count = 0;

    public void Add(byte* data, int length, ushort strippedTpid = 0, ushort strippedTci = 0)
    {
        ref FrameRef frame = ref _frames[Count++];
        frame.Data = data;
        frame.Length = length;
        frame.StrippedTpid = strippedTpid;
        frame.StrippedTci = strippedTci;
    }
}
