// The wait the port backend tests share: receive on a port under test, in poll(2) on its descriptor
// between tries, until a test frame shows up among the link chatter. Bounded by 5 s.
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Ports;
using Tmds.Linux;

namespace FastBridge.Tests.Datapath.Ports;

internal static unsafe class PortReceive
{
    /// <summary>The index of the first test frame in <paramref name="batch"/>, which the port still holds (ReleaseReceived is the caller's).</summary>
    public static int TestFrame(IPort port, FrameBatch batch)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < deadline)
        {
            var pollFd = new pollfd { fd = port.PollFd, events = LibC.POLLIN };
            LibC.poll(&pollFd, 1, 50);
            batch.Clear();
            int count = port.Receive(batch);
            Assert.True(count >= 0, $"Receive failed: errno {-count}");
            for (int i = 0; i < count; i++)
            {
                if (TestFrames.IsTest(batch[i].Bytes))
                {
                    return i;
                }
            }
            port.ReleaseReceived();
        }
        throw new TimeoutException($"no test frame on {port.Name} in 5 s");
    }
}
