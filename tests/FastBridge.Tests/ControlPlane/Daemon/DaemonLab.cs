// A throw-away world for daemon tests: N veth pairs whose port ends ("fbd" + 4 hex + "p" + i) stay
// in the root namespace for the daemon, and whose host ends ("...h" + i) each live in their own
// namespace ("...n" + i) where raw sockets send and receive test frames. A temp directory holds the
// daemon's socket and config. Dispose removes every link, namespace and file it made, even after
// a failed test; nothing else (eth0 included) is touched.

namespace FastBridge.Tests.ControlPlane.Daemon;

internal sealed class DaemonLab : IDisposable
{
    private readonly VethLab _links = new VethLab();

    private DaemonLab(int ports)
    {
        Tag = Convert.ToHexString(BitConverter.GetBytes(Random.Shared.Next())[..2]).ToLowerInvariant();
        Directory = System.IO.Directory.CreateTempSubdirectory("fbd-");
        // Reachable by other users, so a test can prove the socket's own mode refuses them.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Directory.FullName, (UnixFileMode)0x1ED); // 0755
        }
        Count = ports;
    }

    public string Tag { get; }

    public int Count { get; }

    public DirectoryInfo Directory { get; }

    public string Socket => Path.Combine(Directory.FullName, "fastbridge.sock");

    public string Port(int i) => $"fbd{Tag}p{i}";

    public string Host(int i) => $"fbd{Tag}h{i}";

    public string Netns(int i) => $"fbd{Tag}n{i}";

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

    public void AddPair(int i, int mtu = 1500)
    {
        _links.AddNamespace(Netns(i));
        AddLink(i, mtu);
    }

    /// <summary>Pair i's veth (again: after a test deleted it, in the namespace that is still there), both ends up.</summary>
    public void AddLink(int i, int mtu = 1500)
    {
        _links.AddLink(Port(i), "type", "veth", "peer", "name", Host(i), "netns", Netns(i));
        string mtuText = mtu.ToString(System.Globalization.CultureInfo.InvariantCulture);
        VethLab.Ip("link", "set", Port(i), "mtu", mtuText, "up");
        VethLab.Ip("-n", Netns(i), "link", "set", Host(i), "mtu", mtuText, "up");
    }

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
