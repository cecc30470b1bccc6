// The config's port mirrors (issue 14): "mirrors": [{"name": "m1", "src": ["eth1", "eth2"], "direction":
// "both", "dst": "eth3"}], direction rx, tx or both (both when left out). Checked at read as `mirror add`
// is (ports among the config's ports, the destination no source, names unique), so a bad file is refused
// whole; applied at start and by SIGHUP (ConfigDiff.Mirrors.cs). Main thread.
using FastBridge.ControlPlane.Switch;
using Microsoft.Extensions.Configuration;

namespace FastBridge.ControlPlane.Daemon;

internal sealed partial record DaemonConfig
{
    public const string MirrorsKey = "mirrors";

    private static readonly string[] s_mirrorKeys = ["name", "src", "direction", "dst"];

    public IReadOnlyList<MirrorRequest> Mirrors { get; init; } = [];

    private sealed partial class Reader
    {
        private List<MirrorRequest> MirrorEntries(string[] ports)
        {
            var mirrors = new List<MirrorRequest>();
            foreach (IConfigurationSection entry in root.GetSection(MirrorsKey).GetChildren())
            {
                if (entry.GetChildren().FirstOrDefault(k => !s_mirrorKeys.Contains(k.Key, StringComparer.Ordinal)) is { } unknown)
                {
                    throw Bad(unknown.Path, $"unknown key (known: {string.Join(", ", s_mirrorKeys)})");
                }
                string name = entry["name"] is { Length: > 0 } n ? n : throw Bad(entry.Path + ":name", "missing");
                string dst = MirrorPort(entry.Path + ":dst", entry["dst"], ports);
                string[] src = [.. entry.GetSection("src").GetChildren().Select(s => MirrorPort(s.Path, s.Value, ports))];
                string direction = entry["direction"] ?? "both";
                if (src.Length == 0)
                {
                    throw Bad(entry.Path + ":src", "needs at least one port");
                }
                if (src.Contains(dst, StringComparer.Ordinal))
                {
                    throw Bad(entry.Path + ":dst", $"{EchoedText.Cut(dst)} is also a source");
                }
                if (!SwitchCommands.TryParseDirection(direction, out _))
                {
                    throw Bad(entry.Path + ":direction", $"'{EchoedText.Cut(direction)}' must be rx, tx or both");
                }
                if (mirrors.Any(m => m.Name == name))
                {
                    throw Bad(entry.Path + ":name", $"mirror {EchoedText.Cut(name)} is named twice");
                }
                mirrors.Add(new MirrorRequest(name, src, dst, direction));
            }
            return mirrors;
        }

        private string MirrorPort(string key, string? port, string[] ports) =>
            port is { Length: > 0 } && ports.Contains(port, StringComparer.Ordinal) ? port
            : throw Bad(key, $"'{EchoedText.Cut(port ?? "")}' is not one of the ports ({string.Join(", ", ports)})");
    }
}
