// A throw-away world for daemon tests: N veth pairs (a VethLab's, so "fb" + 5 hex + a suffix) whose
// port ends ("...p" + i) stay in the root namespace for the daemon, and whose host ends ("...h" + i)
// each live in their own namespace ("...n" + i) where raw sockets send and receive test frames. A temp
// directory holds the daemon's socket and config. Dispose removes every link, namespace and file it
// made, even after a failed test; nothing else (eth0 included) is touched.
namespace FastBridge.Tests.ControlPlane.Daemon;

internal sealed class DaemonLab : IDisposable
{
    private readonly VethLab _links = new();

    private DaemonLab(int ports)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("fbd-");
        // Reachable by other users, so a test can prove the socket's own mode refuses them.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Directory.FullName, (UnixFileMode)0x1ED); // 0755
        }
        Count = ports;
    }

    public int Count { get; }

    public DirectoryInfo Directory { get; }

    public string Socket => Path.Combine(Directory.FullName, "fastbridge.sock");

    public string Port(int i) => _links.Name($"p{i}");

    public string Host(int i) => _links.Name($"h{i}");

    public string Netns(int i) => _links.Name($"n{i}");

    public IEnumerable<string> Ports => Enumerable.Range(0, Count).Select(Port);

    /// <summary>Makes <paramref name="ports"/> pairs (with these MTUs, 1500 when null); more can be added later with AddPair.</summary>
    public static DaemonLab Create(int ports, int[]? mtus = null)
    {
        var lab = new DaemonLab(ports);
        try
        {
            for (int i = 0; i < ports; i++)
            {
                lab.AddPair(i, mtus?[i] ?? 1500);
            }
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>Pair i, both ends up; again after a test deleted it, in the namespace that is still there.</summary>
    public void AddPair(int i, int mtu = 1500) => _links.Add(Netns(i), Host(i), Port(i), mtu);

    /// <summary>A raw socket on host i's end, for frames of the test EtherType.</summary>
    public RawSocket OpenHost(int i) => RawSocket.OpenIn(Netns(i), Host(i), TestFrames.ExperimentalEtherType);

    public string WriteFile(string name, string text)
    {
        string path = Path.Combine(Directory.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>A file with the given mode: 0600 for a token file, 0644 for one that must be refused.</summary>
    public string WriteFile(string name, string text, UnixFileMode mode)
    {
        string path = WriteFile(name, text);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
        return path;
    }

    public void Dispose()
    {
        _links.Dispose();
        try
        {
            Directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A daemon that has not quite let go of its socket: the temp dir is harmless.
        }
    }
}
