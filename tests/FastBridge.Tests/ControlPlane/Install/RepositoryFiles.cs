// Paths in the source tree the tests run from: the directory holding FastBridge.sln, found upward
// from the test assembly, so deploy/ and scripts/ are read as committed.
namespace FastBridge.Tests.ControlPlane.Install;

internal static class RepositoryFiles
{
    private static readonly Lazy<string> s_root = new(() =>
    {
        DirectoryInfo? dir = new(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "FastBridge.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new DirectoryNotFoundException($"no FastBridge.sln above {AppContext.BaseDirectory}");
    });

    public static string Root => s_root.Value;

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);
}
