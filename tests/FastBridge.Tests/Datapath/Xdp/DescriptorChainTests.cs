// Multi-buffer descriptor chains on an RX ring laid out in plain memory, with the test writing the
// kernel's descriptors: where a chain ends (or that it has not ended yet), how long its frame is, and
// that gathering puts the pieces together in order. No socket is needed.
using System.Runtime.InteropServices;
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Xdp;

namespace FastBridge.Tests.Datapath.Xdp;

public sealed unsafe class DescriptorChainTests : IDisposable
{
    private const uint Size = 32;
    private const int Chunk = 4096;
    private readonly PlainRing _ring = new(Size);
    private readonly byte* _umem = (byte*)NativeMemory.AllocZeroed(Size * Chunk);

    [Fact]
    public void Length_ChainOfThree_EndsAtFirstDescriptorWithoutContd()
    {
        XskRing ring = Ring(Size - 2, [3840, 3840, 1334], [60]); // starts two before the index wraps

        Assert.Equal(3U, DescriptorChain.Length(ring, Size - 2, 4));
        Assert.Equal(1U, DescriptorChain.Length(ring, Size + 1, 1));
        Assert.Equal(9014L, DescriptorChain.FrameLength(ring, Size - 2, 3));
    }

    [Fact]
    public void Length_ChainNotEndedWithinAvailable_Zero()
    {
        XskRing ring = Ring(0, [3840, 3840, 1334]);

        Assert.Equal(0U, DescriptorChain.Length(ring, 0, 2)); // the third descriptor is not published yet
        Assert.Equal(0U, DescriptorChain.Length(ring, 0, 0));
    }

    [Fact]
    public void FrameLength_EighteenFullChunks_NoOverflow()
    {
        uint[] lengths = Enumerable.Repeat((uint)Chunk, 18).ToArray();
        XskRing ring = Ring(0, lengths);

        Assert.Equal(18U, DescriptorChain.Length(ring, 0, Size));
        Assert.Equal(18L * Chunk, DescriptorChain.FrameLength(ring, 0, 18));
    }

    [Fact]
    public void FrameLength_LengthsNearUInt32Max_SumsWithoutWrapping()
    {
        XskRing ring = Ring(0, [uint.MaxValue, uint.MaxValue, 2]);

        Assert.Equal(2L * uint.MaxValue + 2, DescriptorChain.FrameLength(ring, 0, 3));
    }

    [Fact]
    public void Gather_ThreePieces_ConcatenatedInOrder()
    {
        uint[] lengths = [3840, 3840, 1334];
        XskRing ring = Ring(5, lengths);
        byte[] expected = new byte[9014];
        for (int i = 0; i < 3; i++)
        {
            // Received data sits 256 bytes into each frame, frames out of order in the UMEM.
            byte* data = _umem + (long)(7 - i) * Chunk + 256;
            for (int j = 0; j < lengths[i]; j++)
            {
                data[j] = expected[i * 3840 + j] = (byte)(i * 31 + j * 7);
            }
        }
        byte[] gathered = new byte[9014];

        fixed (byte* destination = gathered)
        {
            DescriptorChain.Gather(ring, 5, 3, _umem, destination);
        }

        Assert.Equal(expected, gathered);
    }

    [Theory]
    [InlineData(1, 4096, 1)]
    [InlineData(4096, 4096, 1)]
    [InlineData(4097, 4096, 2)]
    [InlineData(9018, 4096, 3)]
    [InlineData(9018, 3840, 3)]
    [InlineData(65553, 3840, 18)]
    public void ChunksFor_Length_RoundsUp(int length, int chunk, int expected) =>
        Assert.Equal(expected, DescriptorChain.ChunksFor(length, chunk));

    public void Dispose()
    {
        _ring.Dispose();
        NativeMemory.Free(_umem);
    }

    /// <summary>
    /// A consumer-side ring holding, from <paramref name="first"/> on, one chain per frame with these
    /// descriptor lengths, in UMEM frames 7, 6, 5, ... (wrapping), each 256 bytes in as the kernel puts it.
    /// </summary>
    private XskRing Ring(uint first, params uint[][] frames)
    {
        var descriptors = (IfXdp.XdpDesc*)_ring.Entries;
        uint n = 0;
        foreach (uint[] lengths in frames)
        {
            for (int i = 0; i < lengths.Length; i++, n++)
            {
                ref IfXdp.XdpDesc desc = ref descriptors[(first + n) & (Size - 1)];
                desc.Addr = ((7 - n) & (Size - 1)) * (ulong)Chunk + 256;
                desc.Len = lengths[i];
                desc.Options = i < lengths.Length - 1 ? IfXdp.XdpPktContd : 0;
            }
        }
        _ring.Producer = first + n;
        _ring.Consumer = first;
        return _ring.Open(producerSide: false);
    }
}
