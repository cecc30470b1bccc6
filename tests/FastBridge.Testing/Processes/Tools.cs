// The outside programs the tests drive. A missing one fails the test with the package to install;
// it never skips, so a machine without the tools cannot pass silently.
namespace FastBridge.Testing.Processes;

internal static class Tools
{
    private static readonly string[] s_searchPath =
        [.. (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries),
         "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    public static string Ping => Require("ping", "iputils-ping");

    public static string Iperf3 => Require("iperf3", "iperf3");

    public static string Python3 => Require("python3", "python3");

    public static string Ip => Require("ip", "iproute2");

    public static string Tcpdump => Require("tcpdump", "tcpdump");

    /// <summary>The dotnet host that runs this test, so fastbridge.dll runs on the same runtime.</summary>
    public static string Dotnet =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : Require("dotnet", "the .NET SDK");

    public static string Require(string name, string package)
    {
        foreach (string dir in s_searchPath)
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"'{name}' is not installed; the tests need it (apt-get install -y {package}).");
    }
}
