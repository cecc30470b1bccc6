// The integration tests build namespaces, veth pairs and switches on the real kernel and measure
// timing (ageing, throughput) on a 2-core machine, so they run one at a time, after the unit tests.
namespace FastBridge.Tests.Integration;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class IntegrationCollection
{
    public const string Name = "Integration";
}
