// Taking an in-frame tag out into metadata in place, and telling a malformed (cut-short) tag from a whole one.
using FastBridge.Datapath.Frames;
using FastBridge.Datapath.Ports;

namespace FastBridge.Tests.Datapath.Frames;

public sealed unsafe class VlanEditingTests
{
    [Fact]
    public void StripInPlace_InFrameTag_SameWireBytesWithTheTagInMetadata()
    {
        byte[] untagged = TestFrames.Numbered(7, 100);
        byte[] tagged = TestFrames.Tagged(untagged, VlanTag.CustomerTpid, 0x600A);
        fixed (byte* data = tagged)
        {
            var frame = new FrameRef { Data = data, Length = tagged.Length };
            VlanEditing.StripInPlace(ref frame, frame.OuterTag);

            Assert.Equal(untagged, frame.Bytes.ToArray());
            Assert.Equal(new VlanTag(VlanTag.CustomerTpid, 0x600A), frame.OuterTag);
            var wire = new byte[frame.WireLength];
            frame.CopyToWire(wire);
            Assert.Equal(TestFrames.Tagged(untagged, VlanTag.CustomerTpid, 0x600A), wire);
        }
    }

    [Fact]
    public void StripInPlace_TagAlreadyInMetadata_LeavesTheFrame()
    {
        byte[] untagged = TestFrames.Numbered(8, 100);
        fixed (byte* data = untagged)
        {
            var frame = new FrameRef { Data = data, Length = untagged.Length, StrippedTpid = VlanTag.CustomerTpid, StrippedTci = 5 };
            VlanEditing.StripInPlace(ref frame, frame.OuterTag);
            Assert.True(frame.Data == data);
            Assert.Equal(untagged.Length, frame.Length);
        }
    }
}
