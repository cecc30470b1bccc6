// tcpdump on one host's end, as an operator captures on a mirror port: the test frames (EtherType 0x88B5)
// the interface receives, written packet by packet (-U) to a pcap file of its own and read back as bytes,
// also while it runs. Stop ends tcpdump and fails the test if the kernel dropped any; Dispose removes the file.
using System.Buffers.Binary;
using FastBridge.ControlPlane.Lab;

namespace FastBridge.Tests.Integration;

internal sealed class TcpdumpCapture : IDisposable
{
    /// <summary>The pcap file header; each record then has a 16-byte header (seconds, fraction, captured and wire length).</summary>
    private const int FileHeaderLength = 24, RecordHeaderLength = 16;

    private const uint MicrosecondMagic = 0xA1B2C3D4, NanosecondMagic = 0xA1B23C4D;

    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(10), s_stopTimeout = TimeSpan.FromSeconds(5);

    private readonly ChildProcess _process;
    private readonly string _file;

    private TcpdumpCapture(ChildProcess process, string file)
    {
        _process = process;
        _file = file;
    }

    /// <summary>Starts tcpdump on <paramref name="host"/>'s end (inbound only: the host sends nothing of ours) and returns once it listens.</summary>
    public static TcpdumpCapture Start(LabHost host)
    {
        string file = Path.Combine(Path.GetTempPath(), $"fbt-{Guid.NewGuid():N}.pcap");
        // -Z root: Debian's tcpdump drops to its own user before it opens the file otherwise.
        var process = new ChildProcess(Tools.Ip,
            ["netns", "exec", host.Namespace, Tools.Tcpdump, "-i", host.HostInterface, "-Q", "in", "-n", "-U", "-s", "0", "-Z", "root",
             "-w", file, "ether", "proto", "0x88b5"]);
        var capture = new TcpdumpCapture(process, file);
        if (!process.WaitForLine("listening on", s_readyTimeout))
        {
            string output = process.Output();
            capture.Dispose();
            Assert.Fail($"tcpdump on {host.Namespace}/{host.HostInterface} did not start listening\n{output}");
        }
        return capture;
    }

    /// <summary>Waits until the file holds at least <paramref name="count"/> frames; false on timeout.</summary>
    public bool WaitForCount(int count, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (Frames().Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            Thread.Sleep(50);
        }
        return true;
    }

    /// <summary>Ends tcpdump (SIGTERM) and returns every frame it wrote; fails the test if it did not exit or the kernel dropped frames.</summary>
    public List<byte[]> Stop()
    {
        if (!_process.Terminate(s_stopTimeout))
        {
            Assert.Fail($"tcpdump did not exit within {s_stopTimeout.TotalSeconds} s of SIGTERM\n{_process.Output()}");
        }
        if (!_process.Stderr().Split('\n').Contains("0 packets dropped by kernel"))
        {
            Assert.Fail($"tcpdump's kernel buffer dropped frames, so it did not see them all\n{_process.Output()}");
        }
        return Frames();
    }

    public void Dispose()
    {
        _process.Dispose();
        File.Delete(_file);
    }

    /// <summary>The complete records in the file so far (tcpdump may be half-way through writing the next).</summary>
    private List<byte[]> Frames()
    {
        byte[] pcap;
        try
        {
            using var stream = new FileStream(_file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            pcap = copy.ToArray();
        }
        catch (FileNotFoundException)
        {
            return [];
        }

        var frames = new List<byte[]>();
        if (pcap.Length < FileHeaderLength)
        {
            return frames;
        }
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(pcap);
        if (magic is not (MicrosecondMagic or NanosecondMagic))
        {
            throw new InvalidDataException($"{_file} is not a little-endian pcap file (magic {magic:x8})");
        }
        for (int at = FileHeaderLength; at + RecordHeaderLength <= pcap.Length;)
        {
            int captured = BinaryPrimitives.ReadInt32LittleEndian(pcap.AsSpan(at + 8));
            int onWire = BinaryPrimitives.ReadInt32LittleEndian(pcap.AsSpan(at + 12));
            if (at + RecordHeaderLength + captured > pcap.Length)
            {
                break;
            }
            if (captured != onWire)
            {
                throw new InvalidDataException($"{_file}: a frame of {onWire} bytes was cut to {captured}");
            }
            frames.Add(pcap.AsSpan(at + RecordHeaderLength, captured).ToArray());
            at += RecordHeaderLength + captured;
        }
        return frames;
    }
}
