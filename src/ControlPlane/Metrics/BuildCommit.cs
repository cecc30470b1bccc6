// The git commit the program was built from, for fastbridge_build_info. The SDK's source control
// support embeds it in the informational version ("0.4.0+<sha>") when the build runs in a git
// checkout; a build from a tarball has no "+", and reads "unknown".
using System.Reflection;

namespace FastBridge.ControlPlane.Metrics;

internal static class BuildCommit
{
    public const string Unknown = "unknown";

    public static string Value { get; } = From(typeof(BuildCommit).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);

    /// <summary>The part after '+' in an informational version, or <see cref="Unknown"/>.</summary>
    internal static string From(string? informationalVersion)
    {
        int plus = informationalVersion?.IndexOf('+', StringComparison.Ordinal) ?? -1;
        return plus < 0 || plus == informationalVersion!.Length - 1 ? Unknown : informationalVersion[(plus + 1)..];
    }
}
