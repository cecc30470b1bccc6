// A thread-safe in-memory "interface" for tests that run live poll loops: frames injected by the
// test thread are shared out between every handle open on the wire (as PACKET_FANOUT spreads them
// over the loops' sockets), and frames transmitted by any handle are collected. A handle used
// after it was disposed is recorded, so a test can prove a retired port is never touched again.
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Ports;

namespace FastBridge.Tests.Datapath.Forwarding;

internal sealed class TestWire(string name)
{
    private readonly ConcurrentQueue<byte[]> _rx = new();
    private readonly ConcurrentQueue<byte[]> _tx = new();
    private int _useAfterDispose;

    public string Name { get; } = name;

    public int Pending => _rx.Count;

    public int UseAfterDispose => Volatile.Read(ref _useAfterDispose);

    public void Inject(byte[] frame) => _rx.Enqueue(frame);

    public List<byte[]> TakeTransmitted()
    {
        var frames = new List<byte[]>();
        while (_tx.TryDequeue(out byte[]? frame))
        {
            frames.Add(frame);
        }
        return frames;
    }

    public IPort Open() => new Handle(this);

    private sealed unsafe class Handle(TestWire wire) : IPort
    {
        private const int SlotSize = 2048;
        private readonly byte* _slab = (byte*)NativeMemory.Alloc((nuint)(Bursts.DefaultFrames * SlotSize));
        private volatile bool _disposed;

        public string Name => wire.Name;

        public int MaxFrameLength => 1518;

        public int PollFd => -1;

        public int Receive(FrameBatch batch)
        {
            if (Check())
            {
                return 0;
            }
            int added = 0;
            while (!batch.IsFull && added < Bursts.DefaultFrames && wire._rx.TryDequeue(out byte[]? frame))
            {
                byte* slot = _slab + added * SlotSize;
                frame.CopyTo(new Span<byte>(slot, frame.Length));
                batch.Add(slot, frame.Length);
                added++;
            }
            return added;
        }

        public void ReleaseReceived() => Check();

        public int Transmit(FrameBatch batch, ReadOnlySpan<int> indices)
        {
            if (Check())
            {
                return 0;
            }
            foreach (int index in indices)
            {
                wire._tx.Enqueue(batch[index].Bytes.ToArray());
            }
            return indices.Length;
        }

        public void Flush() => Check();

        public void AddBackendDrops(Span<ulong> byReason)
        {
        }

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                NativeMemory.Free(_slab);
            }
        }

        private bool Check()
        {
            if (_disposed)
            {
                Interlocked.Increment(ref wire._useAfterDispose);
            }
            return _disposed;
        }
    }
}
