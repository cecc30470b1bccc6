using FastBridge.ControlPlane.Daemon;
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Ports;

namespace FastBridge.Tests.ControlPlane.Daemon;

/// <summary>The watchdog's view of the poll loops: a loop that runs advances, one that stopped does not.</summary>
public sealed class LoopProgressTests
{
    [Fact]
    public void FirstStalled_LoopNotStartedThenRunningThenStopped_StalledThenNotThenStalled()
    {
        // No ports: an idle loop sleeps 100 ms per iteration, as a blocked one waits in poll(2) at most.
        var loop = new PollLoop(0, -1, PortSet.Empty(4, new PortStates(4)), new FdbTable(1024), 0, IdleMode.Block);
        var progress = new LoopProgress([loop]);

        Assert.Equal(0, progress.FirstStalled());
        loop.Start();
        try
        {
            Assert.True(progress.WaitAllAdvanced(TimeSpan.FromSeconds(5)));
            Thread.Sleep(300);
            Assert.Equal(-1, progress.FirstStalled());
        }
        finally
        {
            loop.Stop();
        }
        Assert.Equal(0, progress.FirstStalled());
        Assert.False(progress.WaitAllAdvanced(TimeSpan.FromMilliseconds(300)));
    }
}
