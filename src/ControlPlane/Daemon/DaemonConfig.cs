// The daemon's desired state, from --config FILE (JSON), then FASTBRIDGE_* environment variables,
// then command-line flags, each overriding the one before (Microsoft.Extensions.Configuration).
// Everything is checked before anything starts: a bad value is refused naming where it came from
// (the file, the variable or the flag), the key and what is wrong, echoing at most EchoedText's
// share of the input; the file's values must also be of the right JSON kind (ConfigFileTypes). The
// token file of httpTokenFile is read here too. SIGHUP loads it all again the same way.
using System.Globalization;
using System.Net;
using FastBridge.ControlPlane.Switch;
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Frames;
using FastBridge.Datapath.Hosting;
using FastBridge.Datapath.Interop;
using FastBridge.Datapath.Xdp;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Configuration;

namespace FastBridge.ControlPlane.Daemon;

internal sealed class ConfigException(string message) : Exception(message);

/// <summary>A static FDB entry the config asks for.</summary>
internal sealed record StaticFdbEntry(string Mac, string Port);

internal sealed partial record DaemonConfig(
    IReadOnlyList<string> Ports, string Backend, string XdpMode, DatapathOptions Datapath, int StatsIntervalSeconds,
    IReadOnlyList<StaticFdbEntry> StaticFdb, string Socket, bool SocketExplicit, IPEndPoint? Http, string? File,
    Api.ApiToken? HttpToken = null, string FastPath = "auto", IReadOnlyDictionary<string, PortPolicy>? PolicyByPort = null)
{
    public const string EnvironmentPrefix = "FASTBRIDGE_";

    /// <summary>Every key the config knows; anything else is a typo worth refusing.</summary>
    private static readonly string[] s_keys =
        ["ports", "backend", "xdpMode", "workers", "cpus", "ageingTime", "fdbMax", "groupFwdMask", "idle", "statsInterval", "fdb", "socket", "http", "httpTokenFile", "ringSize", "umemFrames", "fastPath",
         "vlanFiltering", "vlanProtocol", "defaultPvid", "vlans", PortPolicyConfig.Key, MirrorsKey];

    private static readonly string[] s_fdbKeys = ["mac", "port", "static"];

    /// <summary>
    /// Loads the file (if any), the environment and the flags given on the command line (key to
    /// value, ports as "ports:0", "ports:1"...), checks every value and returns the result.
    /// </summary>
    public static DaemonConfig Load(string? file, IReadOnlyDictionary<string, string?> flags)
    {
        var builder = new ConfigurationBuilder();
        string? fullPath = file is null ? null : Path.GetFullPath(file);
        if (fullPath is not null)
        {
            if (!System.IO.File.Exists(fullPath))
            {
                throw new ConfigException($"config {file}: no such file");
            }
            builder.AddJsonFile(fullPath, optional: false, reloadOnChange: false);
        }
        builder.AddEnvironmentVariables(EnvironmentPrefix);
        builder.AddInMemoryCollection(flags);
        IConfigurationRoot root;
        try
        {
            root = builder.Build();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or System.Text.Json.JsonException)
        {
            Exception innermost = e;
            while (innermost.InnerException is not null)
            {
                innermost = innermost.InnerException;
            }
            throw new ConfigException($"config {file}: not valid JSON: {EchoedText.Cut(innermost.Message, 200)}");
        }
        if (fullPath is not null && ConfigFileTypes.FirstMismatch(fullPath) is (string key, string problem))
        {
            throw new ConfigException($"config {file}: key '{EchoedText.Cut(key)}': {problem}");
        }
        return new Reader(root, file).Read(fullPath, flags.ContainsKey("socket"));
    }

    private sealed partial class Reader(IConfigurationRoot root, string? file)
    {
        public DaemonConfig Read(string? fullPath, bool socketFlag)
        {
            foreach (IConfigurationSection section in root.GetChildren())
            {
                if (!s_keys.Contains(section.Key, StringComparer.OrdinalIgnoreCase))
                {
                    throw Bad(section.Path, $"unknown key (known: {string.Join(", ", s_keys)})");
                }
            }
            string[] ports = [.. root.GetSection("ports").GetChildren().Select(p => p.Value ?? "").Where(p => p.Length > 0)];
            if (ports.Length == 0)
            {
                throw new ConfigException(file is null
                    ? "no ports: give --port IF (repeat for each port) or --config FILE with \"ports\""
                    : $"config {file}: key 'ports': no ports; list at least one interface");
            }
            if (ports.Select(SwitchCommands.InterfaceNameProblem).FirstOrDefault(p => p is not null) is { } portProblem)
            {
                throw Bad("ports", portProblem);
            }
            string? twice = ports.GroupBy(p => p, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
            if (twice is not null)
            {
                throw Bad("ports", $"port {EchoedText.Cut(twice)} is named twice");
            }
            string backend = root["backend"] ?? "auto";
            if (backend is not ("auto" or "afxdp" or "afpacket"))
            {
                throw Bad("backend", $"'{EchoedText.Cut(backend)}' is not a backend: auto, afxdp or afpacket");
            }
            string xdpMode = root["xdpMode"] ?? "auto";
            if (xdpMode is not ("auto" or "native" or "generic"))
            {
                throw Bad("xdpMode", $"'{EchoedText.Cut(xdpMode)}' must be auto, native or generic");
            }
            string fastPath = root["fastPath"] ?? "auto";
            if (!FastPathModes.Names.Contains(fastPath))
            {
                throw Bad("fastPath", $"'{EchoedText.Cut(fastPath)}' must be auto, on or off");
            }
            string idle = root["idle"] ?? "block";
            if (idle is not ("block" or "busy"))
            {
                throw Bad("idle", $"'{EchoedText.Cut(idle)}' must be block or busy");
            }
            string mask = root["groupFwdMask"] ?? "0";
            if (!ConfigValues.TryParseGroupMask(mask, out ushort groupMask, out string? maskError))
            {
                throw Bad("groupFwdMask", maskError!.Replace("--group-fwd-mask: ", "", StringComparison.Ordinal));
            }
            IPEndPoint? http = null;
            if (root["http"] is { Length: > 0 } httpText && !ConfigValues.TryParseHttp(httpText, out http, out string? httpError))
            {
                throw Bad("http", httpError!.Replace("--http: ", "", StringComparison.Ordinal));
            }
            Api.ApiToken? token = null;
            if (root["httpTokenFile"] is { Length: > 0 } tokenFile)
            {
                if (http is null)
                {
                    throw Bad("httpTokenFile", "the token guards the API over http, which is off; set http too, or leave the token out");
                }
                if (!Api.ApiToken.TryLoad(tokenFile, out token, out string? tokenError))
                {
                    throw Bad("httpTokenFile", $"{EchoedText.Cut(tokenFile)} {tokenError}");
                }
            }
            int[]? cpus = null;
            if (root["cpus"] is { Length: > 0 } cpuText)
            {
                if (!CpuAffinity.TryParseList(cpuText, out int[] parsed, out string? cpuError))
                {
                    // CpuAffinity's message quotes the whole list; 200 characters keep its point.
                    throw Bad("cpus", EchoedText.Cut(cpuError, 200));
                }
                int[]? online = CpuAffinity.Online();
                if (online is not null && parsed.FirstOrDefault(cpu => !online.Contains(cpu), -1) is int offline and >= 0)
                {
                    throw Bad("cpus", $"CPU {offline} is not online (online: {string.Join(',', online)})");
                }
                cpus = parsed;
            }
            (bool vlanFiltering, ushort vlanProtocol, ushort defaultPvid) = VlanSettings();
            var options = new DatapathOptions(
                VlanFiltering: vlanFiltering,
                VlanProtocol: vlanProtocol,
                DefaultPvid: defaultPvid,
                Workers: Int("workers", 1, 1, 64),
                Cpus: cpus,
                AgeingTimeSeconds: (uint)Int("ageingTime", (int)DatapathOptions.DefaultAgeingTimeSeconds, FdbAger.MinAgeingTimeSeconds, FdbAger.MaxAgeingTimeSeconds),
                FdbMaxEntries: Int("fdbMax", DatapathOptions.DefaultFdbMaxEntries, 1, 1 << 24),
                GroupForwardMask: groupMask,
                Idle: idle == "busy" ? IdleMode.Busy : IdleMode.Block,
                XdpRingSize: Checked("ringSize", Int("ringSize", XdpMemory.DefaultRingSize, int.MinValue, int.MaxValue), XdpMemory.RingSizeProblem),
                UmemFrames: root["umemFrames"] is null ? null : Checked("umemFrames", Int("umemFrames", 0, int.MinValue, int.MaxValue), XdpMemory.UmemFramesProblem));
            string socket = root["socket"] is { Length: > 0 } s ? s : Api.ApiHost.DefaultSocket;
            bool socketExplicit = socketFlag || root.GetSection("socket").Value is { Length: > 0 };
            return new DaemonConfig(ports, backend, xdpMode, options, Int("statsInterval", 5, 0, 86_400), StaticEntries(ports),
                socket, socketExplicit, http, fullPath, token, fastPath,
                PortPolicyConfig.Read(root.GetSection(PortPolicyConfig.Key), ports, Bad)) { Vlans = VlanEntries(ports, vlanFiltering), Mirrors = MirrorEntries(ports) };
        }

        private List<StaticFdbEntry> StaticEntries(string[] ports)
        {
            var entries = new List<StaticFdbEntry>();
            foreach (IConfigurationSection entry in root.GetSection("fdb").GetChildren())
            {
                if (entry.GetChildren().FirstOrDefault(k => !s_fdbKeys.Contains(k.Key, StringComparer.OrdinalIgnoreCase)) is { } unknown)
                {
                    throw Bad(unknown.Path, $"unknown key (known: {string.Join(", ", s_fdbKeys)})");
                }
                string mac = entry["mac"] ?? throw Bad(entry.Path + ":mac", "missing");
                string port = entry["port"] ?? throw Bad(entry.Path + ":port", "missing");
                if (!MacAddress.TryParse(mac, out ulong value))
                {
                    throw Bad(entry.Path + ":mac", $"malformed MAC address '{EchoedText.Cut(mac)}' (want aa:bb:cc:dd:ee:ff)");
                }
                if (MacAddress.IsGroup(value) || MacAddress.IsZero(value))
                {
                    throw Bad(entry.Path + ":mac", $"{mac} is not a unicast address");
                }
                if (!ports.Contains(port, StringComparer.Ordinal))
                {
                    throw Bad(entry.Path + ":port", $"{EchoedText.Cut(port)} is not one of the ports ({string.Join(", ", ports)})");
                }
                if (entry["static"] is { } isStatic && !string.Equals(isStatic, "true", StringComparison.OrdinalIgnoreCase))
                {
                    throw Bad(entry.Path + ":static", "config FDB entries are static; leave the key out or set it true");
                }
                string normal = MacAddress.Format(value);
                if (entries.Any(e => e.Mac == normal))
                {
                    throw Bad(entry.Path + ":mac", $"{normal} is listed twice");
                }
                entries.Add(new StaticFdbEntry(normal, port));
            }
            return entries;
        }

        private int Int(string key, int fallback, int min, int max)
        {
            string? text = root[key];
            if (text is null)
            {
                return fallback;
            }
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
            {
                throw Bad(key, $"'{EchoedText.Cut(text)}' is not a whole number");
            }
            if (value < min || value > max)
            {
                throw Bad(key, $"must be between {min} and {max}, not {value}");
            }
            return value;
        }

        private int Checked(string key, int value, Func<int, string?> problem) =>
            problem(value) is { } what ? throw Bad(key, what) : value;

        /// <summary>"config FILE: key 'K': what" - or the variable or flag the value came from, when that overrode the file.</summary>
        private ConfigException Bad(string key, string what) => new($"{Source(key)}: key '{EchoedText.Cut(key)}': {what}");

        private string Source(string key)
        {
            foreach (IConfigurationProvider provider in root.Providers.Reverse())
            {
                if (!provider.TryGet(key, out _) && !provider.GetChildKeys([], key).Any())
                {
                    continue;
                }
                return provider switch
                {
                    JsonConfigurationProvider => $"config {file}",
                    EnvironmentVariablesConfigurationProvider => $"environment {EnvironmentPrefix}{EchoedText.Cut(key.Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant())}",
                    MemoryConfigurationProvider => "command line",
                    _ => "config",
                };
            }
            return file is null ? "command line" : $"config {file}";
        }
    }
}
