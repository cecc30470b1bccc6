// An XSK ring laid out in plain memory, the producer, consumer and flags words a cache line apart and
// the entries after them, so a test can play the kernel's side of it without a socket. Frees its
// memory on Dispose.
using System.Runtime.InteropServices;
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Xdp;

namespace FastBridge.Tests.Datapath.Xdp;

internal sealed unsafe class PlainRing(uint size) : IDisposable
{
    private static readonly IfXdp.RingOffset s_offsets = new() { Producer = 0, Consumer = 64, Flags = 128, Desc = 192 };

    /// <summary>16 bytes an entry: room for an xdp_desc (a fill or completion ring uses the first 8).</summary>
    private readonly byte* _memory = (byte*)NativeMemory.AllocZeroed(192 + size * 16);

    public ref uint Producer => ref *(uint*)_memory;

    public ref uint Consumer => ref *(uint*)(_memory + 64);

    public ref uint Flags => ref *(uint*)(_memory + 128);

    public byte* Entries => _memory + 192;

    public XskRing Open(bool producerSide) => XskRing.Create(_memory, 0, s_offsets, size, producerSide);

    public void Dispose() => NativeMemory.Free(_memory);
}
