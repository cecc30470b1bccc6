using System.Diagnostics;
using FastBridge.ControlPlane.Daemon;

namespace FastBridge.Tests.ControlPlane;

/// <summary>`fastbridge run` refuses bad options with one line naming what is wrong, before touching anything.</summary>
public sealed class RunOptionsTests
{
    [Theory]
    [InlineData("0x4000", (ushort)0x4000)]
    [InlineData("16392", (ushort)0x4008)]
    [InlineData("0", (ushort)0)]
    public void TryParseGroupMask_AllowedBits_Parses(string text, ushort expected)
    {
        Assert.True(ConfigValues.TryParseGroupMask(text, out ushort mask, out _));
        Assert.Equal(expected, mask);
    }

    [Theory]
    [InlineData("0x1", "bits 0-2")]
    [InlineData("4", "bits 0-2")]
    [InlineData("0x10000", "not a 16-bit number")]
    [InlineData("lldp", "not a 16-bit number")]
    public void TryParseGroupMask_RestrictedOrMalformed_IsRefusedWithReason(string text, string reason)
    {
        Assert.False(ConfigValues.TryParseGroupMask(text, out _, out string? error));
        Assert.Contains(reason, error);
    }

    [Theory]
    [InlineData("--workers 0 --port x", "--workers must be between 1 and 64, not 0")]
    [InlineData("--workers abc --port x", "'abc'")]
    [InlineData("--ageing-time 0 --port x", "--ageing-time must be between 1")]
    [InlineData("--idle lazy --port x", "'lazy'")]
    [InlineData("--cpus two --port x", "--cpus: 'two' is not a CPU list")]
    [InlineData("--backend nic --port x", "'nic'")]
    [InlineData("--group-fwd-mask 0x2 --port x", "bits 0-2")]
    [InlineData("--http [::ffff:127.0.0.1]:9470 --port x", "--http: ::ffff:127.0.0.1 is an IPv4-mapped address; write 127.0.0.1:9470")]
    [InlineData("--http 0.0.0.0:9470 --port x", "--http: 0.0.0.0 is not a loopback address")]
    [InlineData("", "'--port' is required")]
    public void Run_BadOption_PrintsOneLineAndExitsTwo(string arguments, string expected)
    {
        using FastBridgeDaemon fastBridge = FastBridgeDaemon.LaunchRun(arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.True(fastBridge.Process.WaitForExit(TimeSpan.FromSeconds(30)));
        ProcessResult result = fastBridge.Process.Result();

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        string[] lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("fastbridge: ", lines[0]);
        Assert.Contains(expected, lines[0]);
    }
}
