// The port policy part of a reload: only ports whose policy changed, and re-added ports that have one.
using FastBridge.ControlPlane.Daemon;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Hosting;

namespace FastBridge.Tests.ControlPlane.Daemon;

public sealed class ConfigDiffPolicyTests
{
    private static readonly PortPolicy s_isolated = new(PortFlags.Default | PortFlags.Isolated);
    private static readonly PortPolicy s_limited = new(PortFlags.Default, MaxLearned: 10, LimitAction: MacLimitAction.Shutdown);

    private static DaemonConfig Config(string[] ports, Dictionary<string, PortPolicy> policies) =>
        new(ports, "afpacket", "auto", new DatapathOptions(), 5, [], "/tmp/s.sock", true, null, null, PolicyByPort: policies);

    [Fact]
    public void Compute_PolicyChangedDroppedAndKept_SetsOnlyTheChangedAndTheDropped()
    {
        DaemonConfig running = Config(["a", "b", "c"], new() { ["a"] = s_isolated, ["b"] = s_isolated, ["c"] = s_limited });
        DaemonConfig wanted = Config(["a", "b", "c"], new() { ["a"] = s_isolated, ["c"] = s_isolated });

        Assert.Equal<ConfigCommand>(
            [new ConfigCommand.SetPortPolicy("b", PortPolicy.Default), new ConfigCommand.SetPortPolicy("c", s_isolated)],
            ConfigDiff.Compute(running, ["a", "b", "c"], 300, wanted));
    }

    [Fact]
    public void Compute_PortAddedWithAPolicy_AddedThenSet()
    {
        DaemonConfig running = Config(["a"], []);
        DaemonConfig wanted = Config(["a", "b"], new() { ["b"] = s_limited });

        Assert.Equal<ConfigCommand>([new ConfigCommand.AddPort("b"), new ConfigCommand.SetPortPolicy("b", s_limited)],
            ConfigDiff.Compute(running, ["a"], 300, wanted));
    }
}
