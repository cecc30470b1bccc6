using System.Text.RegularExpressions;
using FastBridge.Datapath.Fdb;
using FastBridge.Tests.ControlPlane.Daemon;

namespace FastBridge.Tests.Datapath.Fdb;

public sealed partial class FdbClockTests
{
    [Fact]
    public void Now_BetweenTwoTickCountReads_IsTheirWholeSeconds()
    {
        long before = Environment.TickCount64 / 1000;
        uint now = FdbClock.Now;
        long after = Environment.TickCount64 / 1000;

        Assert.InRange(now, (uint)before, (uint)after);
    }

    [Fact]
    public void Now_IsTheOnlyCoarseSecondsClockInTheProduct()
    {
        // The poll loops' learn stamps, the ager's `now` and `fdb show`'s ages must come from one clock.
        string src = Path.Combine(Path.GetDirectoryName(DeployTests.Deploy())!, "src");

        string[] clocks = [.. Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(file => CoarseSeconds().IsMatch(File.ReadAllText(file)))
            .Select(Path.GetFileName)!];

        Assert.Equal(["FdbClock.cs"], clocks);
    }

    [GeneratedRegex(@"TickCount64\s*\)?\s*/\s*1000\b")]
    private static partial Regex CoarseSeconds();
}
