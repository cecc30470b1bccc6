// A burst of received frames as pointers into backend-owned memory (an mmap ring, a UMEM,
// a native buffer). Allocated once per poll loop; the frames stay valid until the port that
// filled the batch is told ReleaseReceived.
using FastBridge.Datapath.Common;

namespace FastBridge.Datapath.Ports;

/// <summary>One received frame.</summary>
public unsafe struct FrameRef
{
    public byte* Data;
    public int Length;

    /// <summary>
    /// A VLAN tag the kernel took out of the frame into metadata (AF_PACKET's tp_vlan_tpid and
    /// tp_vlan_tci); 0 when the frame bytes are complete. Egress puts it back after the MAC addresses,
    /// so tagged frames leave byte-identical.
    /// </summary>
    public ushort StrippedTpid;
    public ushort StrippedTci;

    /// <summary>Length on the wire, the stripped tag included.</summary>
    public readonly int WireLength => StrippedTpid == 0 ? Length : Length + 4;

    public readonly ReadOnlySpan<byte> Bytes => new(Data, Length);

    /// <summary>The outer EtherType (or TPID) on the wire: the stripped tag's, else the frame's own; 0 for a runt.</summary>
    public readonly ushort OuterEtherType => StrippedTpid != 0 ? StrippedTpid : Length >= 14 ? (ushort)(Data[12] << 8 | Data[13]) : (ushort)0;

    /// <summary>
    /// Whether a port sending 802.1Q-tagged frames of up to <paramref name="maxTagged"/> bytes and others of up to
    /// <paramref name="maxUntagged"/> (IPort.MaxFrameLength, MaxUntaggedFrameLength) can send this frame.
    /// </summary>
    public readonly bool Fits(int maxTagged, int maxUntagged)
    {
        int length = WireLength;
        return length <= maxUntagged || (length <= maxTagged && OuterEtherType == VlanTag.Dot1Q);
    }
}

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
