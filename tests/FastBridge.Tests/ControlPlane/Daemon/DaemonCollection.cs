// Daemon tests start real processes, veth pairs and namespaces; on a 2-core machine they run one
// class at a time, and not beside any other test (the AF_XDP soak alone fills a core), so timings
// (start-up, traffic) stay honest: beside it, a daemon's poll loop starved long enough to overrun
// its receive rings and fail a no-loss test.
namespace FastBridge.Tests.ControlPlane.Daemon;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DaemonCollection
{
    public const string Name = "Daemon";
}
