// The .deb as scripts/package-deb.sh builds it, unpacked into a scratch root (dpkg-deb -x, and -e for
// its control files), once per test class. The binary packaged is the one scripts/setup.sh published
// (artifacts/publish/fastbridge) when there is one, so the suite does not publish again; without it
// the script publishes first (about a minute). The package is always built anew, so the unit, config,
// man page, completion and maintainer scripts checked are the ones in this tree.
namespace FastBridge.Tests.ControlPlane.Install;

public sealed class InstalledPackage : IDisposable
{
    /// <summary>Publishing a trimmed single file on a loaded 2-core machine took up to 4 minutes.</summary>
    private static readonly TimeSpan s_buildTimeout = TimeSpan.FromMinutes(10);

    public InstalledPackage()
    {
        Scratch = Directory.CreateTempSubdirectory("fb-deb-");
        string published = RepositoryFiles.Path("artifacts", "publish", "fastbridge");
        string[] args = File.Exists(published) ? ["--binary", published, "--out", Scratch.FullName] : ["--out", Scratch.FullName];
        ProcessResult built = ChildProcess.RunChecked(RepositoryFiles.Path("scripts", "package-deb.sh"), args, s_buildTimeout);
        Deb = built.Stdout.Trim().Split('\n')[^1];
        Root = Path.Combine(Scratch.FullName, "root");
        ChildProcess.RunChecked(Tools.Require("dpkg-deb", "dpkg"), ["-x", Deb, Root], s_buildTimeout);
        ChildProcess.RunChecked(Tools.Require("dpkg-deb", "dpkg"), ["-e", Deb, Path.Combine(Root, "DEBIAN")], s_buildTimeout);
    }

    public DirectoryInfo Scratch { get; }

    public string Deb { get; }

    /// <summary>Where the package's files lie, as they would under / once installed.</summary>
    public string Root { get; }

    /// <summary>An installed path (absolute, as the package names it) inside the scratch root.</summary>
    public string PathOf(string installed) => Path.Combine(Root, installed.TrimStart('/'));

    public string Text(string installed) => File.ReadAllText(PathOf(installed));

    public void Dispose() => Scratch.Delete(recursive: true);
}
