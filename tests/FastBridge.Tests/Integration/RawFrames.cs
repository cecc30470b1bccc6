// Drives rawframes.py (stdlib Python, AF_PACKET) inside a lab namespace: send frames from a host,
// and keep a capture running on a host whose printed frames the test reads back as bytes.
using FastBridge.ControlPlane.Lab;

namespace FastBridge.Tests.Integration;

internal static class RawFrames
{
    private const string ScriptName = "rawframes.py";

    private static readonly TimeSpan s_sendTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The script beside the test assembly, or else the one in the source tree (found by walking up
    /// from the output directory), so the suite runs from a plain build of this repository.
    /// </summary>
    public static string ScriptPath { get; } = FindScript();

    /// <summary>Sends the frames in order from <paramref name="host"/>'s interface, in one process.</summary>
    public static void Send(LabHost host, params byte[][] frames)
    {
        var args = new List<string> { "netns", "exec", host.Namespace, Tools.Python3, ScriptPath, "send", "--if", host.HostInterface };
        foreach (byte[] frame in frames)
        {
            args.Add("--hex");
            args.Add(TestFrames.Hex(frame));
        }

        ChildProcess.RunChecked(Tools.Ip, args, s_sendTimeout);
    }

    /// <summary>Sends many frames from a file, one at a time with <paramref name="paceMicroseconds"/> between them.</summary>
    public static void SendMany(LabHost host, IReadOnlyList<byte[]> frames, int paceMicroseconds)
    {
        string file = Path.Combine(Path.GetTempPath(), $"fbt-frames-{Guid.NewGuid():N}.hex");
        try
        {
            File.WriteAllLines(file, frames.Select(TestFrames.Hex));
            ChildProcess.RunChecked(Tools.Ip,
                ["netns", "exec", host.Namespace, Tools.Python3, ScriptPath, "send", "--if", host.HostInterface,
                 "--hex-file", file, "--pace-us", paceMicroseconds.ToString(System.Globalization.CultureInfo.InvariantCulture)],
                s_sendTimeout);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string FindScript()
    {
        string beside = Path.Combine(AppContext.BaseDirectory, ScriptName);
        return File.Exists(beside) ? beside
            : InSourceTree(Path.Combine("tests", "FastBridge.Tests", "Integration", ScriptName))
                ?? throw new FileNotFoundException($"{ScriptName} is neither beside the test assembly nor in a source tree above it", ScriptName);
    }

    /// <summary>The file at <paramref name="relativePath"/> in the first directory above the test assembly that has it; null if none does.</summary>
    public static string? InSourceTree(string relativePath)
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, relativePath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}

/// <summary>A capture running on one host for the length of a test; frames are read as they arrive.</summary>
internal sealed class FrameCapture : IDisposable
{
    /// <summary>A safety bound only: the test closes the capture when it is done.</summary>
    private const int MaxSeconds = 120;

    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(10);

    private readonly ChildProcess _process;

    private FrameCapture(LabHost host, ChildProcess process)
    {
        Host = host;
        _process = process;
    }

    public LabHost Host { get; }

    /// <summary>
    /// Starts capturing test frames (EtherType 0x88B5 under any tags) and the IEEE link-local groups the
    /// tests send to; returns once the script says READY.
    /// </summary>
    public static FrameCapture Start(LabHost host)
    {
        var process = new ChildProcess(Tools.Ip,
        [
            "netns", "exec", host.Namespace, Tools.Python3, RawFrames.ScriptPath, "capture",
            "--if", host.HostInterface, "--seconds", MaxSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--ethertype", "0x88B5",
            "--dst", "01:80:c2:00:00:00", "--dst", "01:80:c2:00:00:02", "--dst", "01:80:c2:00:00:0e",
        ]);
        if (!process.WaitForLines(lines => lines.Count > 0 && lines[0] == "READY", s_readyTimeout))
        {
            string output = process.Output();
            process.Dispose();
            Assert.Fail($"capture on {host.Namespace}/{host.HostInterface} did not become ready\n{output}");
        }

        return new FrameCapture(host, process);
    }

    /// <summary>Every frame received so far that contains <paramref name="marker"/>, in arrival order.</summary>
    public List<byte[]> FramesWith(byte[] marker) =>
        [.. Frames().Where(f => TestFrames.Contains(f, marker))];

    public bool WaitForCount(byte[] marker, int count, TimeSpan timeout)
    {
        // The condition runs on every new line, so it scans only the lines it has not seen.
        string hexMarker = Convert.ToHexStringLower(marker);
        int scanned = 1;
        int found = 0;
        return _process.WaitForLines(lines =>
        {
            for (; scanned < lines.Count; scanned++)
            {
                if (ContainsAtByteBoundary(lines[scanned], hexMarker))
                {
                    found++;
                }
            }

            return found >= count;
        }, timeout);
    }

    public string Describe() => _process.Output();

    public void Dispose() => _process.Dispose();

    private IEnumerable<byte[]> Frames() => Parse(_process.Lines());

    /// <summary>A hex match only counts at an even offset; an odd one would straddle two bytes.</summary>
    private static bool ContainsAtByteBoundary(string hexLine, string hexMarker)
    {
        for (int at = hexLine.IndexOf(hexMarker, StringComparison.Ordinal); at >= 0;
             at = hexLine.IndexOf(hexMarker, at + 1, StringComparison.Ordinal))
        {
            if (at % 2 == 0)
            {
                return true;
            }
        }

        return false;
    }

    private static IEnumerable<byte[]> Parse(IReadOnlyList<string> lines) =>
        lines.Skip(1).Where(l => l.Length > 0).Select(Convert.FromHexString);
}
