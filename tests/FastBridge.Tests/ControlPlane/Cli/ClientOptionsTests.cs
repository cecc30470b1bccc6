using FastBridge.ControlPlane;
using FastBridge.ControlPlane.Cli;

namespace FastBridge.Tests.ControlPlane.Cli;

/// <summary>Client options typed before a client command are moved behind it, as `bridge -j fdb show` has them; other lines are left alone.</summary>
public sealed class ClientOptionsTests
{
    [Theory]
    [InlineData("-j fdb show", "fdb show -j")]
    [InlineData("--socket /s -j fdb show dev a", "fdb show dev a --socket /s -j")]
    [InlineData("fdb -p --json show", "fdb show -p --json")]
    [InlineData("-jp port show", "port show -jp")]
    [InlineData("--socket=/s status", "status --socket=/s")]
    [InlineData("fdb show -j", "fdb show -j")]
    [InlineData("-j run --port a", "-j run --port a")]
    [InlineData("-p lab", "-p lab")]
    [InlineData("-j bogus show", "-j bogus show")]
    [InlineData("-j", "-j")]
    public void Hoist_OptionsBeforeTheCommand_MovedBehindClientCommandsOnly(string line, string expected)
    {
        IReadOnlyList<string> hoisted = ClientOptions.Hoist(line.Split(' '), Program.CreateRoot());

        Assert.Equal(expected, string.Join(' ', hoisted));
    }
}
