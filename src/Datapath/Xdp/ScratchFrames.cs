// A bounded pool of contiguous native buffers, allocated once at set-up, for frames a port must hand on
// in one piece but received in several (AF_XDP multi-buffer): the forwarder parses and copies a frame
// as one span. Slots are handed out in order during a burst and all come back at once when the burst is
// released; when none is left the caller drops the frame. Only the owning poll thread takes and returns
// slots; Dispose runs on the control thread once the port is closed.
using System.Runtime.InteropServices;

namespace FastBridge.Datapath.Xdp;

internal sealed unsafe class ScratchFrames : IDisposable
{
    private const int CacheLine = 64;

    private byte* _memory;
    private int _inUse;

    /// <summary><paramref name="slots"/> buffers of at least <paramref name="slotLength"/> bytes; 0 slots allocate nothing.</summary>
    public ScratchFrames(int slots, int slotLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slots);
        ArgumentOutOfRangeException.ThrowIfNegative(slotLength);
        Slots = slots;
        // Slots start on a cache line, so a gathered frame's copy never shares a line with its neighbour's.
        SlotLength = slots == 0 ? 0 : (slotLength + CacheLine - 1) & ~(CacheLine - 1);
        if (slots > 0)
        {
            _memory = (byte*)NativeMemory.AlignedAlloc((nuint)((long)slots * SlotLength), CacheLine);
        }
    }

    public int Slots { get; }

    /// <summary>Bytes each slot holds; 0 for a pool with no slots, which fits no frame.</summary>
    public int SlotLength { get; }

    /// <summary>Slots handed out since the last ReturnAll.</summary>
    public int InUse => _inUse;

    /// <summary>The next free slot, or null when every slot is in use.</summary>
    public byte* TryTake() => _inUse < Slots ? _memory + (nint)_inUse++ * SlotLength : null;

    /// <summary>Every slot is free again: the frames in them have been handed on.</summary>
    public void ReturnAll() => _inUse = 0;

    public void Dispose()
    {
        if (_memory != null)
        {
            NativeMemory.AlignedFree(_memory);
            _memory = null;
            _inUse = Slots; // nothing more to hand out
        }
    }
}
