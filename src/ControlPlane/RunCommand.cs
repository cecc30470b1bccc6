// `fastbridge run`: switch frames between the named interfaces in the foreground until SIGINT or
// SIGTERM, then restore every interface setting that was changed and exit 0.
using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Xdp;

namespace FastBridge.ControlPlane;

internal static class RunCommand
{
    public static Command Create()
    {
        var ports = new Option<string[]>("--port", "-p")
        {
            Description = "An interface to switch; repeat for each port.",
            Arity = ArgumentArity.OneOrMore,
            Required = true,
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
        var workers = new Option<int>("--workers")
        {
            Description = "Poll loops, one thread each, pinned to a core.",
            DefaultValueFactory = _ => 1,
        };
        workers.Validators.Add(r => RequireRange(r, 1, 64, "--workers"));
        var ageing = new Option<int>("--ageing-time")
        {
            Description = "Seconds a learned address lives without traffic (802.1D default 300).",
            DefaultValueFactory = _ => (int)BridgeOptions.DefaultAgeingTimeSeconds,
        };
        ageing.Validators.Add(r => RequireRange(r, 1, 1_000_000, "--ageing-time"));
        var fdbMax = new Option<int>("--fdb-max")
        {
            Description = "Most addresses the FDB learns; beyond it new addresses are flooded, not learned.",
            DefaultValueFactory = _ => BridgeOptions.DefaultFdbMaxEntries,
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
                if (!TryParseGroupMask(token.Value, out _, out string? error))
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
        };
        statsInterval.Validators.Add(r => RequireRange(r, 0, 86_400, "--stats-interval"));

        var command = new Command("run", "Switch frames between interfaces in the foreground until SIGINT/SIGTERM.")
        {
            ports, backend, xdpMode, workers, ageing, fdbMax, groupMask, idle, statsInterval,
        };
        command.SetAction(parse =>
        {
            TryParseGroupMask(parse.GetValue(groupMask)!, out ushort mask, out _);
            var options = new BridgeOptions(
                Workers: parse.GetValue(workers),
                AgeingTimeSeconds: (uint)parse.GetValue(ageing),
                FdbMaxEntries: parse.GetValue(fdbMax),
                GroupForwardMask: mask,
                Idle: parse.GetValue(idle) == "busy" ? IdleMode.Busy : IdleMode.Block);
            return Run(parse.GetValue(ports)!, options, PortBackends.ParseKind(parse.GetValue(backend)!),
                PortBackends.ParseXdpMode(parse.GetValue(xdpMode)!), parse.GetValue(statsInterval));
        });
        return command;
    }

    private static int Run(string[] ports, BridgeOptions options, BackendKind backend, XdpAttachMode xdpMode, int statsIntervalSeconds)
    {
        using var stop = new CancellationTokenSource();
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        SwitchRunner runner;
        try
        {
            runner = SwitchRunner.Start(ports, options, backend, xdpMode);
        }
        catch (Exception e)
        {
            // A refusal or a set-up failure (naming the interface and errno): one line, nothing left changed.
            Console.Error.WriteLine($"fastbridge: {e.Message}");
            return 1;
        }

        using (runner)
        {
            Console.Out.WriteLine($"fastbridge: forwarding on {ports.Length} ports ({string.Join(", ", ports)}), " +
                $"{options.Workers} worker(s), ageing {options.AgeingTimeSeconds} s");
            var stats = new StatsLine(runner.Bridge);
            TimeSpan interval = statsIntervalSeconds > 0 ? TimeSpan.FromSeconds(statsIntervalSeconds) : Timeout.InfiniteTimeSpan;
            while (!stop.Token.WaitHandle.WaitOne(interval))
            {
                Console.Out.WriteLine(stats.Next());
            }
        }
        Console.Out.WriteLine("fastbridge: stopped; interfaces restored");
        return 0;

        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    /// <summary>Checks the value typed (a default is always in range); a non-number is the parser's own error.</summary>
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

    internal static bool TryParseGroupMask(string text, out ushort mask, out string? error)
    {
        mask = 0;
        error = null;
        bool hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        if (!ushort.TryParse(hex ? text.AsSpan(2) : text, hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None, CultureInfo.InvariantCulture, out mask))
        {
            error = $"--group-fwd-mask: '{text}' is not a 16-bit number (decimal or 0x hex)";
            return false;
        }
        if ((mask & BridgeOptions.RestrictedGroupForwardBits) != 0)
        {
            error = $"--group-fwd-mask: bits 0-2 (STP, pause, LACP) cannot be opened, as in the Linux bridge: {text}";
            return false;
        }
        return true;
    }
}
