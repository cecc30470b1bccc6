// Records the sequence numbers of numbered frames (TestFrames.Numbered) from one source as they arrive on a raw
// socket, in arrival order, on a thread of its own until disposed; a test then asks whether a range of them
// arrived whole and in order, or not at all. Loss or reordering shows in the numbers, not only in a count.
using FastBridge.Datapath.Frames;
using FastBridge.Testing.Frames;

namespace FastBridge.Testing.Traffic;

internal sealed class SequenceReceiver : IDisposable
{
    private readonly List<int> _sequences = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;

    /// <summary>Starts receiving on <paramref name="socket"/> (which stays the caller's) the frames whose source is <paramref name="source"/>.</summary>
    public SequenceReceiver(RawSocket socket, ulong source)
    {
        _thread = new Thread(() =>
        {
            while (!_stop.IsCancellationRequested)
            {
                if (socket.Receive(50) is byte[] frame && frame.Length >= 18 && MacAddress.Read(frame.AsSpan(6, 6)) == source)
                {
                    lock (_sequences)
                    {
                        _sequences.Add(TestFrames.Sequence(frame));
                    }
                }
            }
        });
        _thread.Start();
    }

    /// <summary>The numbers of first..first+count-1 that arrived so far, in arrival order (a number twice if it came twice).</summary>
    public List<int> Arrived(int first, int count)
    {
        lock (_sequences)
        {
            return [.. _sequences.Where(s => s >= first && s < first + count)];
        }
    }

    /// <summary>
    /// Null once first..first+count-1 have each arrived once, in order (waiting up to <paramref name="timeout"/>);
    /// else what went wrong, in one line.
    /// </summary>
    public string? WholeAndInOrder(int first, int count, TimeSpan timeout)
    {
        SpinWait.SpinUntil(() => Arrived(first, count).Count >= count, timeout);
        List<int> got = Arrived(first, count);
        int wrong = Enumerable.Range(0, got.Count).FirstOrDefault(i => got[i] != first + i, -1);
        return got.Count == count && wrong < 0 ? null
            : $"frames {first}..{first + count - 1}: {got.Count} arrived; {(wrong < 0 ? "in order" : $"at {wrong} came {got[wrong]}, not {first + wrong}")}";
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }
}
