// Putting a stripped VLAN tag back: a whole frame, and any range of it as a split copy writes it,
// across the tag's boundaries included.
using FastBridge.Datapath.Ports;

namespace FastBridge.Tests.Datapath.Ports;

public sealed unsafe class VlanTagTests
{
    [Theory]
    [InlineData(0x8100, 0x0064)]
    [InlineData(0, 0)]
    public void CopyWireRange_EveryRange_MatchesTheWholeWireFrame(ushort tpid, ushort tci)
    {
        byte[] bytes = TestFrames.Numbered(5, 100);
        byte[] wire = tpid == 0 ? bytes : [.. bytes[..12], (byte)(tpid >> 8), (byte)tpid, (byte)(tci >> 8), (byte)tci, .. bytes[12..]];
        var batch = new FrameBatch();
        fixed (byte* data = bytes)
        {
            batch.Add(data, bytes.Length, tpid, tci);
            byte[] whole = new byte[wire.Length];
            Assert.Equal(wire.Length, VlanTag.CopyWithTag(batch[0], whole));
            Assert.Equal(wire, whole);
            for (int offset = 0; offset < wire.Length; offset++)
            {
                foreach (int length in (int[])[1, 3, 16, wire.Length - offset])
                {
                    int take = Math.Min(length, wire.Length - offset);
                    byte[] piece = new byte[take];
                    VlanTag.CopyWireRange(batch[0], offset, piece);
                    Assert.True(wire.AsSpan(offset, take).SequenceEqual(piece), $"offset {offset}, length {take}");
                }
            }
        }
    }
}
