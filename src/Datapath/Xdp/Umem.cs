// One UMEM per poll loop: a page-aligned native area of equal frames, shared by every AF_XDP socket the
// loop owns (the first registers it, the others bind with XDP_SHARED_UMEM), so a frame received on one
// port can leave on another by moving its descriptor, without copying a byte. A frame is in exactly one
// place at a time: the free list, a port's fill ring, a received burst, or a port's TX ring (which
// includes its completion ring). One state byte per frame records where; Transmit reads it to decide
// zero-copy versus copy, and a DEBUG build checks every transition. Only the owning poll thread
// touches it after set-up; set-up and Dispose run on the control thread while the loop is stopped.
using System.Diagnostics;
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Interop;
using Tmds.Linux;

namespace FastBridge.Datapath.Xdp;

/// <param name="FrameCount">Frames in the UMEM; a port holds up to its four rings' worth (XdpMemory.FramesPerPort), plus the copy reserve.</param>
/// <param name="FrameSize">Bytes per frame, 2048 or 4096: the kernel puts 256 bytes of headroom before received data.</param>
/// <param name="TryHugePages">Back the area with 2 MiB huge pages when the system has them free, else plain pages.</param>
/// <param name="MultiBuffer">
/// Bind the first socket with XDP_USE_SG (kernel 6.6+), so every socket of the UMEM takes and sends frames
/// longer than one frame as chained descriptors. Off unless a port needs it: on a NIC whose driver has
/// zero-copy AF_XDP but not zero-copy multi-buffer, the kernel answers XDP_USE_SG with copy mode.
/// </param>
public sealed record UmemOptions(int FrameCount = 8192, int FrameSize = 4096, bool TryHugePages = true, bool MultiBuffer = false);

internal enum FrameState : byte
{
    Free,
    Fill,
    Received,
    Tx,
}

public sealed unsafe class Umem : IDisposable
{
    private const int HugePageSize = 2 << 20;

    /// <summary>Frames the fill rings leave on the free list, so a burst can always be copied out to another port.</summary>
    private const int CopyReserve = 2 * Bursts.DefaultFrames;

    private readonly ulong[] _free;
    private readonly FrameState[] _state;
    private readonly byte[] _owner;
    private readonly int[] _inState = new int[4];
    private readonly int _frameShift;
    private readonly List<int> _sockets = [];
    private int _freeCount;
    private int _owners;
    private bool _disposed;

    public Umem(UmemOptions? options = null)
    {
        options ??= new UmemOptions();
        if (options.FrameSize is not (2048 or 4096))
        {
            throw new ArgumentException($"UMEM frame size {options.FrameSize}: must be 2048 or 4096", nameof(options));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(options.FrameCount, 2 * CopyReserve, nameof(options));
        FrameSize = options.FrameSize;
        FrameCount = options.FrameCount;
        MultiBuffer = options.MultiBuffer;
        _frameShift = System.Numerics.BitOperations.Log2((uint)FrameSize);
        Length = (nuint)((long)FrameCount * FrameSize);
        Base = Map(options.TryHugePages, out bool huge);
        HugePages = huge;

        _free = new ulong[FrameCount];
        _state = new FrameState[FrameCount];
        _owner = new byte[FrameCount];
        // Lowest addresses on top of the stack, so a short test uses the start of the area.
        for (int i = 0; i < FrameCount; i++)
        {
            _free[i] = (ulong)(FrameCount - 1 - i) << _frameShift;
        }
        _freeCount = FrameCount;
        _inState[(int)FrameState.Free] = FrameCount;
    }

    public int FrameSize { get; }

    public int FrameCount { get; }

    /// <summary>Whether its sockets are bound for multi-buffer frames (XDP_USE_SG).</summary>
    public bool MultiBuffer { get; }

    /// <summary>Whether the area sits on huge pages.</summary>
    public bool HugePages { get; }

    /// <summary>Frames on the free list; FrameCount again once every port is idle and its rings drained, or disposed.</summary>
    public int FreeCount => _freeCount;

    internal byte* Base { get; }

    internal nuint Length { get; }

    /// <summary>Frames in <paramref name="state"/> now.</summary>
    internal int CountIn(FrameState state) => _inState[(int)state];

    /// <summary>A socket already bound to this UMEM, for XDP_SHARED_UMEM; -1 when none is (the next socket registers it).</summary>
    internal int SharedFd => _sockets.Count > 0 ? _sockets[0] : -1;

    internal void AddSocket(int fd) => _sockets.Add(fd);

    internal void RemoveSocket(int fd) => _sockets.Remove(fd);

    /// <summary>A small id for a port, recorded against the frames it holds so Dispose can take them back.</summary>
    internal byte RegisterOwner() => _owners < byte.MaxValue ? (byte)++_owners : throw new InvalidOperationException("more than 255 AF_XDP ports on one UMEM");

    /// <summary>Free frames a fill ring may take now, leaving the copy reserve.</summary>
    internal int FillableCount => Math.Max(0, _freeCount - CopyReserve);

    /// <summary>The frame's offset in the UMEM when <paramref name="data"/> points into it, else ulong.MaxValue.</summary>
    internal ulong OffsetOf(byte* data)
    {
        ulong offset = (ulong)(data - Base);
        return offset < Length ? offset : ulong.MaxValue;
    }

    internal FrameState StateOf(ulong addr) => _state[addr >> _frameShift];

    /// <summary>Whether the frame holding <paramref name="addr"/> sits, received, in a burst of <paramref name="owner"/>.</summary>
    internal bool IsReceivedBy(ulong addr, byte owner)
    {
        ulong index = addr >> _frameShift;
        return _state[index] == FrameState.Received && _owner[index] == owner;
    }

    /// <summary>Takes a frame off the free list into <paramref name="to"/>; false when the list is empty.</summary>
    internal bool TryTake(FrameState to, byte owner, out ulong frame)
    {
        if (_freeCount == 0)
        {
            frame = 0;
            return false;
        }
        frame = _free[--_freeCount];
        Move(frame, FrameState.Free, to, owner);
        return true;
    }

    /// <summary>Puts the frame holding <paramref name="addr"/> (any offset into it) back on the free list.</summary>
    internal void Release(ulong addr, FrameState from)
    {
        ulong frame = addr & ~(ulong)(FrameSize - 1);
        Move(frame, from, FrameState.Free, 0);
        _free[_freeCount++] = frame;
    }

    /// <summary>Moves the frame holding <paramref name="addr"/> from one place to another; a DEBUG build checks it was where the caller says.</summary>
    internal void Move(ulong addr, FrameState from, FrameState to, byte owner)
    {
        long index = (long)(addr >> _frameShift);
        CheckTransition(index, from, to);
        _state[index] = to;
        _owner[index] = owner;
        _inState[(int)from]--;
        _inState[(int)to]++;
    }

    /// <summary>Puts every frame <paramref name="owner"/> still holds back on the free list; its socket is closed, so the kernel holds none.</summary>
    internal int Reclaim(byte owner)
    {
        int reclaimed = 0;
        for (int i = 0; i < FrameCount; i++)
        {
            if (_owner[i] == owner && _state[i] != FrameState.Free)
            {
                Release((ulong)i << _frameShift, _state[i]);
                reclaimed++;
            }
        }
        return reclaimed;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        LibC.munmap(Base, (size_t)Length);
    }

    [Conditional("DEBUG")]
    private void CheckTransition(long index, FrameState from, FrameState to)
    {
        if ((ulong)index >= (ulong)FrameCount || _state[index] != from)
        {
            string actual = (ulong)index < (ulong)FrameCount ? _state[index].ToString() : "outside the UMEM";
            throw new InvalidOperationException($"UMEM frame {index}: moving {from} -> {to}, but it is {actual}");
        }
    }

    private byte* Map(bool tryHuge, out bool huge)
    {
        int prot = LibC.PROT_READ | LibC.PROT_WRITE;
        huge = false;
        if (tryHuge && Length % HugePageSize == 0)
        {
            void* area = LibC.mmap(null, (size_t)Length, prot, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_HUGETLB | LibC.MAP_POPULATE, -1, 0);
            if (area != LibC.MAP_FAILED)
            {
                huge = true;
                return (byte*)area;
            }
        }
        void* plain = LibC.mmap(null, (size_t)Length, prot, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_POPULATE, -1, 0);
        if (plain == LibC.MAP_FAILED)
        {
            throw new InvalidOperationException($"UMEM of {Length} bytes: mmap failed: {LibcExtras.ErrnoText(System.Runtime.InteropServices.Marshal.GetLastPInvokeError())}");
        }
        return (byte*)plain;
    }
}
