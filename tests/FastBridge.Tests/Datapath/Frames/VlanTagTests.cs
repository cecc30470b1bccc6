// VLAN tags on a FrameRef: the outer tag read alike from both backends' frame shapes (AF_PACKET's, with the
// kernel's stripped tag in metadata; AF_XDP's and the in-memory port's, with the tag in the bytes), the size
// rule that reads it, and putting a stripped tag back, whole and in any range a split copy writes.
using FastBridge.Datapath.Frames;
using FastBridge.Datapath.Ports;

namespace FastBridge.Tests.Datapath.Frames;

public sealed unsafe class VlanTagTests
{
    [Theory]
    [InlineData(0x8100, 0x2064)]   // 802.1Q, priority 1, VLAN 100
    [InlineData(0x88A8, 0x0FFE)]   // 802.1ad S-tag, VLAN 4094
    public void OuterTag_StrippedOrInTheBytes_SameTag(ushort tpid, ushort tci)
    {
        byte[] untagged = TestFrames.Numbered(1, 100);
        byte[] tagged = TestFrames.Tagged(untagged, tpid, tci);
        fixed (byte* stripped = untagged, inBytes = tagged)
        {
            var afPacket = new FrameRef { Data = stripped, Length = untagged.Length, StrippedTpid = tpid, StrippedTci = tci };
            var afXdp = new FrameRef { Data = inBytes, Length = tagged.Length };

            Assert.Equal(new VlanTag(tpid, tci), afPacket.OuterTag);
            Assert.Equal(new VlanTag(tpid, tci), afXdp.OuterTag);
            Assert.Equal((ushort)(tci & 0x0FFF), afXdp.OuterTag.VlanId);
        }
    }

    [Fact]
    public void OuterTag_QinQWithOuterTagStripped_IsTheStrippedOne()
    {
        byte[] inner = TestFrames.Tagged(TestFrames.Numbered(2, 100), VlanTag.CustomerTpid, 0x0064);
        fixed (byte* data = inner)
        {
            var frame = new FrameRef { Data = data, Length = inner.Length, StrippedTpid = VlanTag.ServiceTpid, StrippedTci = 0x00C8 };
            Assert.Equal(new VlanTag(VlanTag.ServiceTpid, 0x00C8), frame.OuterTag);
        }
    }

    [Theory]
    [InlineData(0x88B5, 100)]   // untagged
    [InlineData(0x9100, 100)]   // the pre-standard QinQ TPID: not a tag to the kernel either (eth_type_vlan)
    [InlineData(0x8100, 17)]    // a TPID but no room for the TCI
    public void OuterTag_NoWholeTag_IsNone(ushort etherType, int length)
    {
        byte[] bytes = new byte[length];
        bytes[12] = (byte)(etherType >> 8);
        bytes[13] = (byte)etherType;
        fixed (byte* data = bytes)
        {
            var frame = new FrameRef { Data = data, Length = bytes.Length };
            Assert.Equal(VlanTag.None, frame.OuterTag);
            Assert.False(frame.OuterTag.IsPresent);
        }
    }

    [Theory]
    [InlineData(0x8100, true)]
    [InlineData(0x88A8, false)]
    public void Fits_FramePastUntaggedLimit_OnlyAn8021QTagGetsTheExtraBytesInEitherShape(ushort tpid, bool fits)
    {
        const int MaxUntagged = 1514, MaxTagged = 1518;
        byte[] untagged = TestFrames.Numbered(4, MaxTagged - VlanTag.Length);
        byte[] tagged = TestFrames.Tagged(untagged, tpid, 0x0064);
        fixed (byte* stripped = untagged, inBytes = tagged)
        {
            var afPacket = new FrameRef { Data = stripped, Length = untagged.Length, StrippedTpid = tpid, StrippedTci = 0x0064 };
            var afXdp = new FrameRef { Data = inBytes, Length = tagged.Length };

            Assert.Equal((fits, fits), (afPacket.Fits(MaxTagged, MaxUntagged), afXdp.Fits(MaxTagged, MaxUntagged)));
        }
    }

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
            Assert.Equal(wire.Length, batch[0].CopyToWire(whole));
            Assert.Equal(wire, whole);
            for (int offset = 0; offset < wire.Length; offset++)
            {
                foreach (int length in (int[])[1, 3, 16, wire.Length - offset])
                {
                    int take = Math.Min(length, wire.Length - offset);
                    byte[] piece = new byte[take];
                    batch[0].CopyWireRange(offset, piece);
                    Assert.True(wire.AsSpan(offset, take).SequenceEqual(piece), $"offset {offset}, length {take}");
                }
            }
        }
    }
}
