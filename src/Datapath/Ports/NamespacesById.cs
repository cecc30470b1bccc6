// Finds the network namespace our namespace knows by an id (a veth's IFLA_LINK_NETNSID) without
// spawning anything: the candidates are the named namespaces (/var/run/netns/*) and, when none
// matches, every process's namespace (/proc/PID/ns/net: containers whose namespaces have no name,
// docker's among them), each distinct one asked once; a candidate matches when RTM_GETNSID on its fd
// answers the id. The path found is remembered per id, but checked again (RTM_GETNSID) each time it is
// used, since ids are reused once a namespace dies, and a process's path changes meaning when its pid
// is. The caller closes the fd it is given as soon as it is done: an fd kept open would keep a dead
// container's namespace, and with it its veth, alive. Tick and set-up threads; one lock guards the cache.
using Microsoft.Win32.SafeHandles;

namespace FastBridge.Datapath.Ports;

internal sealed class NamespacesById
{
    private const string ProcDirectory = "/proc";

    private readonly Dictionary<int, string> _pathOf = [];

    /// <summary>An open fd of the namespace known by <paramref name="nsid"/> and words for it; null when none is found.</summary>
    public (SafeFileHandle Netns, string Description)? Open(LinkQuery query, int nsid)
    {
        string? cached;
        lock (_pathOf)
        {
            _pathOf.TryGetValue(nsid, out cached);
        }
        if (cached is not null && OpenIfIs(query, cached, nsid) is { } still)
        {
            return (still, Describe(cached));
        }
        foreach (string path in Candidates())
        {
            if (OpenIfIs(query, path, nsid) is { } found)
            {
                lock (_pathOf)
                {
                    _pathOf[nsid] = path;
                }
                return (found, Describe(path));
            }
        }
        lock (_pathOf)
        {
            _pathOf.Remove(nsid);
        }
        return null;
    }

    /// <summary>"namespace NAME" for a named one, "the namespace of pid N" for a process's.</summary>
    public static string Describe(string path) => path.StartsWith(ProcDirectory + "/", StringComparison.Ordinal)
        ? $"the namespace of pid {path.Split('/')[2]}"
        : $"namespace {Path.GetFileName(path)}";

    /// <summary>The namespace at <paramref name="path"/>, open, if our namespace knows it by <paramref name="nsid"/>.</summary>
    private static SafeFileHandle? OpenIfIs(LinkQuery query, string path, int nsid)
    {
        SafeFileHandle netns;
        try
        {
            netns = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // a process that ended, a namespace deleted meanwhile, one we may not open
        }
        if (query.GetNsid((int)netns.DangerousGetHandle(), out _) == nsid)
        {
            return netns;
        }
        netns.Dispose();
        return null;
    }

    /// <summary>The named namespaces, then each distinct namespace of a process (ours left out).</summary>
    private static IEnumerable<string> Candidates()
    {
        if (Directory.Exists(Namespaces.NamedDirectory))
        {
            foreach (string named in Directory.EnumerateFiles(Namespaces.NamedDirectory))
            {
                yield return named;
            }
        }
        var seen = new HashSet<string?> { new FileInfo($"{ProcDirectory}/self/ns/net").LinkTarget };
        foreach (string process in Directory.EnumerateDirectories(ProcDirectory))
        {
            if (!int.TryParse(Path.GetFileName(process), out _))
            {
                continue;
            }
            string path = $"{process}/ns/net";
            string? identity;
            try
            {
                identity = new FileInfo(path).LinkTarget; // "net:[inode]": the same for every process in one namespace
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            if (identity is not null && seen.Add(identity))
            {
                yield return path;
            }
        }
    }
}
