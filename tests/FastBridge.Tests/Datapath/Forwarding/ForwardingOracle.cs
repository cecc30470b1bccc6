// What the 802.1D rules say must happen to one burst, worked out independently of BatchForwarder from
// the frame bytes, the FDB (read after the burst: the forwarder learns the whole burst before it looks
// anything up, and nothing else writes the table) and the ports' MTUs and free TX slots. Check runs after
// each Process: it counts what every counter must now hold, takes every transmitted frame off the ports
// and compares it byte for byte, in order, with the copies it expects there. Allocates nothing unless
// it finds a difference, which it throws naming the frame.
using System.Buffers.Binary;
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Ports;

namespace FastBridge.Tests.Datapath.Forwarding;

internal sealed class ForwardingOracle(MemoryPort[] ports, PortSet table, FdbTable fdb, LoopCounters counters, ushort groupForwardMask)
{
    private const int HeaderLength = 14;

    private readonly PortCounters[] _expected = new PortCounters[ports.Length];
    private readonly int[] _queued = new int[ports.Length * Bursts.DefaultFrames];
    private readonly int[] _queueCounts = new int[ports.Length];
    private readonly byte[] _taken = new byte[16384];

    /// <summary>Known unicast frames: each leaves by one port (or is dropped there as too big or without TX room).</summary>
    public long Unicast { get; private set; }

    /// <summary>Copies the flooded frames were owed: one per port that was up, the ingress port excepted.</summary>
    public long FloodCopies { get; private set; }

    /// <summary>Frames taken off the ports' TX rings.</summary>
    public long Taken { get; private set; }

    public void Check(FrameBatch batch, int ingress)
    {
        Array.Clear(_queueCounts);
        ref PortCounters rx = ref _expected[ingress];
        for (int i = 0; i < batch.Count; i++)
        {
            ref FrameRef frame = ref batch[i];
            rx.RxPackets++;
            rx.RxBytes += (ulong)frame.WireLength;
            if (frame.Length < HeaderLength)
            {
                rx.Drops[(int)DropReason.Runt]++;
                continue;
            }
            ReadOnlySpan<byte> bytes = frame.Bytes;
            ulong destination = BinaryPrimitives.ReadUInt64BigEndian(bytes) >> 16;
            ulong source = BinaryPrimitives.ReadUInt64BigEndian(bytes.Slice(6)) >> 16;
            if ((source & GroupBit) != 0 || source == 0)
            {
                rx.Drops[(int)DropReason.InvalidSource]++;
                continue;
            }
            int learned = fdb.Lookup(FdbKey.Make(source, 0));
            if (learned != ingress && !(learned == FdbTable.Miss && fdb.Count >= fdb.MaxEntries))
            {
                Fail(batch, i, ingress, $"its valid source is in the FDB at port {learned}, not at the ingress port, and the FDB is not full");
            }
            if ((destination & GroupBit) != 0)
            {
                int low = (int)(destination & 0xF);
                if ((destination & ~0xFUL) == LinkLocalBase && low != 0 && (groupForwardMask & (1 << low)) == 0)
                {
                    rx.Drops[(int)DropReason.LinkLocal]++;
                }
                else
                {
                    Flood(batch, i, ingress, ref rx);
                }
                continue;
            }
            int egress = fdb.Lookup(FdbKey.Make(destination, 0));
            if (egress == FdbTable.Miss || !table.IsUp(egress))
            {
                Flood(batch, i, ingress, ref rx);
            }
            else if (egress == ingress)
            {
                rx.Drops[(int)DropReason.SamePort]++;
            }
            else
            {
                Unicast++;
                Queue(batch, i, egress);
            }
        }
        for (int port = 0; port < ports.Length; port++)
        {
            TakeAndCompare(batch, ingress, port);
        }
        CompareCounters();
    }

    private void Flood(FrameBatch batch, int frame, int ingress, ref PortCounters rx)
    {
        rx.Floods++;
        for (int port = 0; port < ports.Length; port++)
        {
            if (port != ingress && table.IsUp(port))
            {
                FloodCopies++;
                Queue(batch, frame, port);
            }
        }
    }

    private void Queue(FrameBatch batch, int frame, int egress)
    {
        if (!Fits(batch[frame], ports[egress]))
        {
            _expected[egress].Drops[(int)DropReason.TooBig]++;
            return;
        }
        _queued[egress * Bursts.DefaultFrames + _queueCounts[egress]++] = frame;
    }

    /// <summary>The ring held Transmitted frames before the burst (the test drains it after each): the first that fit went, in order.</summary>
    private void TakeAndCompare(FrameBatch batch, int ingress, int port)
    {
        int queued = _queueCounts[port];
        int sent = Math.Min(queued, ports[port].TxSlots);
        ref PortCounters tx = ref _expected[port];
        tx.Drops[(int)DropReason.NoTxRoom] += (ulong)(queued - sent);
        for (int n = 0; n < sent; n++)
        {
            int index = _queued[port * Bursts.DefaultFrames + n];
            ref FrameRef frame = ref batch[index];
            tx.TxPackets++;
            tx.TxBytes += (ulong)frame.WireLength;
            int length = ports[port].TakeTransmitted(_taken);
            if (length < 0)
            {
                Fail(batch, index, ingress, $"port {port} should have sent it as its copy {n} of {sent} but sent only {n}");
            }
            Taken++;
            if (!IsOnTheWire(frame, _taken.AsSpan(0, length)))
            {
                Fail(batch, index, ingress, $"port {port} sent {Convert.ToHexStringLower(_taken.AsSpan(0, length))} in its place");
            }
        }
        if (ports[port].TakeTransmitted(_taken) is int extra and >= 0)
        {
            Fail(batch, 0, ingress, $"port {port} sent a frame no rule asked for: {Convert.ToHexStringLower(_taken.AsSpan(0, extra))}");
        }
    }

    /// <summary>
    /// A port sends frames up to MaxUntaggedFrameLength, and 802.1Q-tagged ones (outer TPID 0x8100, in the bytes
    /// or stripped) up to MaxFrameLength: AF_PACKET's rule; ports without it have the two limits equal.
    /// </summary>
    private static bool Fits(in FrameRef frame, MemoryPort port)
    {
        int length = frame.WireLength;
        ushort outer = frame.StrippedTpid != 0 ? frame.StrippedTpid : BinaryPrimitives.ReadUInt16BigEndian(frame.Bytes.Slice(12));
        return length <= port.MaxUntaggedFrameLength || (length <= port.MaxFrameLength && outer == 0x8100);
    }

    /// <summary>The frame as it leaves: a tag the receiver found in metadata goes back after the MAC addresses.</summary>
    private static bool IsOnTheWire(in FrameRef frame, ReadOnlySpan<byte> sent)
    {
        ReadOnlySpan<byte> bytes = frame.Bytes;
        if (frame.StrippedTpid == 0)
        {
            return sent.SequenceEqual(bytes);
        }
        return sent.Length == bytes.Length + 4
            && sent.Slice(0, 12).SequenceEqual(bytes.Slice(0, 12))
            && BinaryPrimitives.ReadUInt16BigEndian(sent.Slice(12)) == frame.StrippedTpid
            && BinaryPrimitives.ReadUInt16BigEndian(sent.Slice(14)) == frame.StrippedTci
            && sent.Slice(16).SequenceEqual(bytes.Slice(12));
    }

    private void CompareCounters()
    {
        for (int port = 0; port < ports.Length; port++)
        {
            ref PortCounters want = ref _expected[port];
            ref PortCounters got = ref counters.Ports[port];
            bool same = want.RxPackets == got.RxPackets && want.RxBytes == got.RxBytes && want.TxPackets == got.TxPackets
                && want.TxBytes == got.TxBytes && want.Floods == got.Floods;
            for (int r = 0; r < DropReasons.Count; r++)
            {
                same &= want.Drops[r] == got.Drops[r];
            }
            if (!same)
            {
                throw new InvalidOperationException($"port {port} counters differ from the rules: expected {Describe(want)}, counted {Describe(got)}");
            }
        }
    }

    private static string Describe(in PortCounters c)
    {
        var drops = new List<string>();
        for (int r = 0; r < DropReasons.Count; r++)
        {
            drops.Add($"{DropReasons.Label((DropReason)r)} {c.Drops[r]}");
        }
        return $"rx {c.RxPackets}/{c.RxBytes} B, tx {c.TxPackets}/{c.TxBytes} B, floods {c.Floods}, drops [{string.Join(", ", drops)}]";
    }

    private static void Fail(FrameBatch batch, int index, int ingress, string what)
    {
        ref FrameRef frame = ref batch[index];
        string tag = frame.StrippedTpid == 0 ? "" : $" (tag {frame.StrippedTpid:x4} {frame.StrippedTci:x4} stripped)";
        throw new InvalidOperationException(
            $"frame {index} of a burst of {batch.Count} on port {ingress}{tag}, {frame.Length} bytes {Convert.ToHexStringLower(frame.Bytes)}: {what}");
    }

    private const ulong GroupBit = 0x0100_0000_0000UL;
    private const ulong LinkLocalBase = 0x0180_C200_0000UL;
}
