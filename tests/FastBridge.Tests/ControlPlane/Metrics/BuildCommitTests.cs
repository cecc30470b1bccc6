using FastBridge.ControlPlane.Metrics;

namespace FastBridge.Tests.ControlPlane.Metrics;

public sealed class BuildCommitTests
{
    [Theory]
    [InlineData("0.4.0+2f75e39d90027974e69317eb989c71517e6e7f4f", "2f75e39d90027974e69317eb989c71517e6e7f4f")]
    [InlineData("0.4.0", "unknown")]
    [InlineData("0.4.0+", "unknown")]
    [InlineData(null, "unknown")]
    public void From_InformationalVersion_IsThePartAfterThePlus(string? informationalVersion, string commit) =>
        Assert.Equal(commit, BuildCommit.From(informationalVersion));
}
