// Daemon tests start real processes, veth pairs and namespaces; on a 2-core machine they run one
// class at a time so timings (start-up, traffic) stay honest.
namespace FastBridge.Tests.Daemon;

[CollectionDefinition(Name)]
public sealed class DaemonCollection
{
    public const string Name = "Daemon";
}
