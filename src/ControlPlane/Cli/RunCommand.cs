// `fastbridge run`: parse the daemon's command line, merge it over --config FILE and FASTBRIDGE_*
// variables (DaemonConfig), and hand the result to DaemonLifetime, which switches frames between the
// interfaces until SIGINT or SIGTERM, serving the management API meanwhile, then restores every
// interface setting that was changed and exits 0. Only flags given explicitly override the config.
using System.CommandLine;
using System.Globalization;
using FastBridge.ControlPlane.Api;
using FastBridge.ControlPlane.Daemon;
using FastBridge.ControlPlane.Logging;
using FastBridge.Datapath.Hosting;
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Interop;
using Microsoft.Extensions.Logging;

namespace FastBridge.ControlPlane.Cli;

internal static class RunCommand
{
    public static Command Create()
    {
        var ports = new Option<string[]>("--port", "-p")
        {
            Description = "An interface to switch; repeat for each port (or list them in --config).",
            Arity = ArgumentArity.OneOrMore,
        };
        var config = new Option<string>("--config")
        {
            Description = "JSON file with ports, backend, workers, ageingTime, fdbMax, fdb (static entries), socket, http...; FASTBRIDGE_* variables and flags override it; SIGHUP re-reads it.",
        };
        var backend = new Option<string>("--backend")
        {
            Description = "Port backend: afxdp, afpacket, or auto (AF_XDP wherever the kernel and driver allow it, AF_PACKET elsewhere).",
            DefaultValueFactory = _ => "auto",
        };
        backend.AcceptOnlyFromAmong("auto", "afxdp", "afpacket");
        var xdpMode = new Option<string>("--xdp-mode")
        {
            Description = "XDP attach mode for AF_XDP ports: native, generic, or auto (native, falling back to generic).",
            DefaultValueFactory = _ => "auto",
        };
        xdpMode.AcceptOnlyFromAmong("auto", "native", "generic");
        var fastPath = new Option<string>("--fast-path")
        {
            Description = "Switch known unicast inside the kernel in each port's XDP program: auto (where the kernel accepts it), on (refuse to start without it), off (poll loops only).",
            DefaultValueFactory = _ => "auto",
        };
        fastPath.AcceptOnlyFromAmong(Switch.FastPathModes.Names);
        var workers = new Option<int>("--workers")
        {
            Description = "Poll loops, one thread each, pinned to a core.",
            DefaultValueFactory = _ => 1,
            CustomParser = ValueParsers.Whole<int>("--workers"),
        };
        workers.Validators.Add(r => RequireRange(r, 1, 64, "--workers"));
        var cpus = new Option<string>("--cpus")
        {
            Description = "CPUs for the poll loops, e.g. 2,3 or 2-5 (workers go round them); every other thread of the process then stays off them. Default: the CPUs the process may run on.",
        };
        cpus.Validators.Add(r =>
        {
            foreach (System.CommandLine.Parsing.Token token in r.Tokens)
            {
                if (!CpuAffinity.TryParseList(token.Value, out _, out string? error))
                {
                    r.AddError("--cpus: " + EchoedText.Cut(error, 200));
                }
            }
        });
        var ageing = new Option<int>("--ageing-time")
        {
            Description = "Seconds a learned address lives without traffic (802.1D default 300).",
            DefaultValueFactory = _ => (int)DatapathOptions.DefaultAgeingTimeSeconds,
            CustomParser = ValueParsers.Whole<int>("--ageing-time", "seconds"),
        };
        ageing.Validators.Add(r => RequireRange(r, FdbAger.MinAgeingTimeSeconds, FdbAger.MaxAgeingTimeSeconds, "--ageing-time"));
        var fdbMax = new Option<int>("--fdb-max")
        {
            Description = "Most addresses the FDB learns; beyond it new addresses are flooded, not learned.",
            DefaultValueFactory = _ => DatapathOptions.DefaultFdbMaxEntries,
            CustomParser = ValueParsers.Whole<int>("--fdb-max"),
        };
        fdbMax.Validators.Add(r => RequireRange(r, 1, 1 << 24, "--fdb-max"));
        var groupMask = new Option<string>("--group-fwd-mask")
        {
            Description = "Link-local groups 01:80:C2:00:00:0X to forward, bit X set (as the Linux bridge's group_fwd_mask); bits 0-2 cannot be set.",
            DefaultValueFactory = _ => "0",
        };
        groupMask.Validators.Add(r =>
        {
            foreach (System.CommandLine.Parsing.Token token in r.Tokens)
            {
                if (!ConfigValues.TryParseGroupMask(token.Value, out _, out string? error))
                {
                    r.AddError(error!);
                }
            }
        });
        var idle = new Option<string>("--idle")
        {
            Description = "block: sleep in poll(2) when idle; busy: spin for lowest latency.",
            DefaultValueFactory = _ => "block",
        };
        idle.AcceptOnlyFromAmong("block", "busy");
        var statsInterval = new Option<int>("--stats-interval")
        {
            Description = "Seconds between one-line stats summaries; 0 turns them off.",
            DefaultValueFactory = _ => 5,
            CustomParser = ValueParsers.Whole<int>("--stats-interval", "seconds"),
        };
        statsInterval.Validators.Add(r => RequireRange(r, 0, 86_400, "--stats-interval"));

        var socket = new Option<string>("--socket")
        {
            Description = $"Unix socket for the management API (mode 0660); default {ApiHost.DefaultSocket}.",
        };
        var http = new Option<string>("--http")
        {
            Description = "Also serve GET /metrics over TCP on this loopback address, e.g. 127.0.0.1:9470; the rest of the API there needs --http-token-file.",
        };
        http.Validators.Add(r =>
        {
            if (!ConfigValues.TryParseHttp(r.GetValueOrDefault<string>() ?? "", out _, out string? error))
            {
                r.AddError(error!);
            }
        });
        var httpTokenFile = new Option<string>("--http-token-file")
        {
            Description = "File (mode 0600) holding a token that opens the whole API over --http, sent as Authorization: Bearer TOKEN.",
        };

        (Option ringSize, Option umemFrames) = XdpMemoryOptions.Create();

        // The flags that set one configuration key each, named after it (--xdp-mode sets xdpMode).
        Option[] settings = [backend, xdpMode, fastPath, workers, cpus, ageing, fdbMax, groupMask, idle, statsInterval, socket, http, httpTokenFile, ringSize, umemFrames, .. VlanRunOptions.Create()];
        var command = new Command("run", "Switch frames between interfaces until SIGINT/SIGTERM, managed over a local API.") { ports, config };
        foreach (Option setting in settings)
        {
            command.Options.Add(setting);
        }
        command.Validators.Add(r =>
        {
            // Ports must come from somewhere: the flags, the config file, or FASTBRIDGE_PORTS__0...
            if (r.GetResult(ports) is null && r.GetResult(config) is null && Environment.GetEnvironmentVariable(DaemonConfig.EnvironmentPrefix + "PORTS__0") is null)
            {
                r.AddError("Option '--port' is required (or --config FILE listing \"ports\").");
            }
        });
        command.SetAction(parse =>
        {
            // Flags given on the command line, as configuration keys; defaults are left to the config.
            var flags = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            string[] portNames = parse.GetValue(ports) ?? [];
            for (int i = 0; i < portNames.Length; i++)
            {
                flags[$"ports:{i}"] = portNames[i];
            }
            foreach (Option setting in settings)
            {
                if (parse.GetResult(setting) is { Implicit: false } given)
                {
                    flags[ConfigKey(setting.Name)] = Convert.ToString(given.GetValueOrDefault<object>(), CultureInfo.InvariantCulture);
                }
            }
            string? file = parse.GetValue(config);
            using ILoggerFactory logs = OneLineLoggerProvider.CreateFactory();
            DaemonConfig loaded;
            try
            {
                loaded = DaemonConfig.Load(file, flags);
            }
            catch (ConfigException e)
            {
                logs.CreateLogger(DaemonLog.Category).Refused(e.Message);
                return 1;
            }
            return DaemonLifetime.Run(loaded, () => DaemonConfig.Load(file, flags), logs);
        });
        return command;
    }

    /// <summary>The configuration key a flag sets: --group-fwd-mask sets groupFwdMask.</summary>
    private static string ConfigKey(string flag)
    {
        string[] words = flag.TrimStart('-').Split('-');
        return words[0] + string.Concat(words[1..].Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
    }

    /// <summary>Checks the value typed (a default is always in range); a non-number is its CustomParser's error.</summary>
    private static void RequireRange(System.CommandLine.Parsing.OptionResult result, int min, int max, string name)
    {
        foreach (System.CommandLine.Parsing.Token token in result.Tokens)
        {
            if (int.TryParse(token.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && (value < min || value > max))
            {
                result.AddError($"{name} must be between {min} and {max}, not {value}");
            }
        }
    }
}
