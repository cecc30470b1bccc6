// The copies AF_XDP multi-buffer adds for a frame longer than one UMEM frame: gathering a received
// chain of descriptors (3840 + 3840 + 1334 bytes, 256 bytes into scattered 4 KiB frames, as the kernel
// hands them) into one scratch slot, and splitting the frame over 4 KiB TX frames again. A frame that
// fits one UMEM frame pays neither (it moves by descriptor). Time per 9014-byte frame, bytes allocated.
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Ports;
using FastBridge.Datapath.Xdp;

namespace FastBridge.Benchmarks;

[MemoryDiagnoser]
public unsafe class MultiBufferBenchmarks
{
    private const int FrameLength = 9014;
    private const int Chunk = 4096;
    private const uint RingSize = 8;
    private const int DescOffset = 192;

    private byte* _ring;
    private byte* _umem;
    private ScratchFrames _scratch = null!;
    private XskRing _rx;
    private FrameRef _frame;

    [GlobalSetup]
    public void Setup()
    {
        _ring = (byte*)NativeMemory.AllocZeroed(DescOffset + RingSize * 16);
        _umem = (byte*)NativeMemory.AlignedAlloc(64 * Chunk, Chunk);
        new Span<byte>(_umem, 64 * Chunk).Fill(0x5A);
        var descriptors = (IfXdp.XdpDesc*)(_ring + DescOffset);
        uint[] lengths = [3840, 3840, 1334];
        for (int i = 0; i < 3; i++)
        {
            // Frames far apart in the UMEM, as a busy fill ring hands them out.
            descriptors[i] = new IfXdp.XdpDesc { Addr = (ulong)(40 - i * 17) * Chunk + 256, Len = lengths[i], Options = i < 2 ? IfXdp.XdpPktContd : 0 };
        }
        *(uint*)_ring = 3;
        _rx = XskRing.Create(_ring, 0, new IfXdp.RingOffset { Producer = 0, Consumer = 64, Flags = 128, Desc = DescOffset }, RingSize, producerSide: false);
        _scratch = new ScratchFrames(1, FrameLength + 4);
        _frame = new FrameRef { Data = _scratch.TryTake(), Length = FrameLength };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _scratch.Dispose();
        NativeMemory.AlignedFree(_umem);
        NativeMemory.Free(_ring);
    }

    [Benchmark(Description = "gather 9014 B from 3 RX descriptors")]
    public void Gather() => DescriptorChain.Gather(_rx, 0, DescriptorChain.Length(_rx, 0, 3), _umem, _frame.Data);

    [Benchmark(Description = "split 9014 B over 3 TX frames")]
    public void Split()
    {
        for (int chunk = 0; chunk < 3; chunk++)
        {
            int offset = chunk * Chunk;
            _frame.CopyWireRange(offset, new Span<byte>(_umem + (long)(50 + chunk * 3) * Chunk, Math.Min(Chunk, FrameLength - offset)));
        }
    }
}
