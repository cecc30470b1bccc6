using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Ports;

namespace FastBridge.Tests.Datapath.Forwarding;

/// <summary>The single-producer/single-consumer frame queue between a poll loop and the control plane.</summary>
public sealed unsafe class FrameRingTests
{
    [Fact]
    public void TryRead_AfterWrites_GivesFramesAndPortsInOrderThenEmpty()
    {
        var ring = new FrameRing(capacity: 4, slotLength: 128);
        byte[] first = Frame(1, 60), second = Frame(2, 128);
        Assert.True(ring.TryWrite(3, first));
        Assert.True(ring.TryWrite(5, second));
        Assert.Equal(2, ring.Count);

        var buffer = new byte[ring.SlotLength];
        Assert.Equal(60, ring.TryRead(buffer, out int port));
        Assert.Equal(3, port);
        Assert.Equal(first, buffer[..60]);
        Assert.Equal(128, ring.TryRead(buffer, out port));
        Assert.Equal(5, port);
        Assert.Equal(second, buffer);
        Assert.Equal(-1, ring.TryRead(buffer, out port));
        Assert.Equal(0, ring.Count);
    }

    [Fact]
    public void TryWrite_RingFullOrFrameLongerThanSlot_Refused()
    {
        var ring = new FrameRing(capacity: 2, slotLength: 64);
        Assert.False(ring.TryWrite(0, Frame(0, 65)));
        Assert.True(ring.TryWrite(0, Frame(1, 60)));
        Assert.True(ring.TryWrite(0, Frame(2, 60)));
        Assert.False(ring.TryWrite(0, Frame(3, 60)));

        var buffer = new byte[64];
        ring.TryRead(buffer, out _);
        Assert.True(ring.TryWrite(0, Frame(4, 60)));
        Assert.Equal(2, ring.Count);
    }

    [Fact]
    public void TryWrite_FrameWithStrippedTag_StoredAsOnTheWire()
    {
        var ring = new FrameRing(capacity: 2, slotLength: 128);
        byte[] untagged = Frame(9, 60);
        fixed (byte* data = untagged)
        {
            var frame = new FrameRef { Data = data, Length = untagged.Length, StrippedTpid = 0x8100, StrippedTci = 0x0064 };
            Assert.True(ring.TryWrite(1, frame));
        }

        var buffer = new byte[128];
        Assert.Equal(64, ring.TryRead(buffer, out _));
        Assert.Equal(TestFrames.Tagged(untagged, 0x8100, 0x0064), buffer[..64]);
    }

    [Fact]
    public void PeekRelease_AcrossTheWrap_HandsOutSlotsInPlaceAndFreesThem()
    {
        var ring = new FrameRing(capacity: 4, slotLength: 128);
        var buffer = new byte[128];
        for (int i = 0; i < 3; i++)
        {
            ring.TryWrite(0, Frame(i, 60));
            ring.TryRead(buffer, out _);
        }
        byte[][] frames = [.. Enumerable.Range(10, 4).Select(i => Frame(i, 60 + i))];
        for (int i = 0; i < frames.Length; i++)
        {
            Assert.True(ring.TryWrite(i, frames[i]));
        }

        var batch = new FrameBatch(capacity: 3);
        int[] ports = new int[8];
        Assert.Equal(3, ring.Peek(batch, ports));
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(i, ports[i]);
            Assert.Equal(frames[i], batch[i].Bytes.ToArray());
        }
        Assert.Equal(4, ring.Count);
        ring.Release(3);
        Assert.Equal(1, ring.Count);
        Assert.Equal(frames[3].Length, ring.TryRead(buffer, out int port));
        Assert.Equal(3, port);
    }

    [Fact]
    public void WriteAndRead_OnTwoThreads_EveryFrameArrivesOnceInOrder()
    {
        var ring = new FrameRing(capacity: 8, slotLength: 64);
        const int Frames = 20_000;
        var producer = new Thread(() =>
        {
            for (int i = 0; i < Frames;)
            {
                if (ring.TryWrite(i, Frame(i, 60)))
                {
                    i++;
                }
            }
        });
        producer.Start();
        var buffer = new byte[64];
        for (int expected = 0; expected < Frames;)
        {
            if (ring.TryRead(buffer, out int port) < 0)
            {
                continue;
            }
            Assert.Equal(expected, port);
            Assert.Equal(Frame(expected, 60), buffer[..60]);
            expected++;
        }
        producer.Join();
    }

    private static byte[] Frame(int seed, int length) => TestFrames.Experimental(0x0200_0000_0001, 0x0200_0000_0002, TestFrames.Marker($"r{seed}"), length, seed);
}
