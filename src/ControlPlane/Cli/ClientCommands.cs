// The CLI that talks to a running daemon, shaped like iproute2's `bridge`: `port add|del|show`,
// `fdb show|add|del|flush`, `set ageing-time`, `status` (and `stats`, in StatsCommand). Each
// command is one API call; any refusal is one line on stderr, exit 1, and an unreachable daemon
// exit 3 with how to start one (exit 2 stays a usage error).
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FastBridge.ControlPlane.Api;
using FastBridge.ControlPlane.Switch;

namespace FastBridge.ControlPlane.Cli;

internal static class ClientCommands
{
    public static IEnumerable<Command> Create() => [Port(), Fdb(), Set(), Status(), StatsCommand.Create()];

    /// <summary>
    /// Gives <paramref name="command"/> the --socket option (FASTBRIDGE_SOCKET sets its default) and an action that runs
    /// <paramref name="action"/> against the daemon there, turning a CliException into its line and exit code.
    /// </summary>
    public static Command Calling(Command command, Func<ParseResult, ApiClient, int> action)
    {
        var socket = new Option<string>("--socket")
        {
            Description = $"The daemon's API socket (default $FASTBRIDGE_SOCKET, else {ApiHost.DefaultSocket}).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("FASTBRIDGE_SOCKET") is { Length: > 0 } env ? env : ApiHost.DefaultSocket,
        };
        command.Options.Add(socket);
        command.SetAction(parse =>
        {
            using var client = new ApiClient(parse.GetValue(socket)!);
            try
            {
                return action(parse, client);
            }
            catch (CliException e)
            {
                Console.Error.WriteLine($"fastbridge: {e.Message}");
                return e.ExitCode;
            }
        });
        return command;
    }

    private static Command Port()
    {
        var addName = new Argument<string>("IF") { Description = "The interface to add." };
        var add = Calling(new Command("add", "Add an interface as a port while the switch forwards.") { addName }, (parse, client) =>
            PrintResult(client.Send(HttpMethod.Post, "ports", new PortRequest(parse.GetValue(addName)), ApiJson.Default.PortRequest, ApiJson.Default.OkResponse)));

        var delName = new Argument<string>("IF") { Description = "The port to remove." };
        var del = Calling(new Command("del", "Remove a port; its FDB entries are flushed, the other ports keep forwarding.") { delName }, (parse, client) =>
            PrintResult(client.Send(HttpMethod.Delete, "ports/" + ApiClient.Escape(parse.GetValue(delName)!), null, ApiJson.Default.OkResponse)));

        var showJson = new Option<bool>("--json") { Description = "Print JSON." };
        var show = Calling(new Command("show", "List the ports and their state.") { showJson }, (parse, client) =>
        {
            PortInfo[] ports = client.Get("ports", ApiJson.Default.PortInfoArray);
            if (parse.GetValue(showJson))
            {
                return PrintJson(ports, ApiJson.Default.PortInfoArray);
            }
            foreach (PortInfo p in ports)
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{p.Id}: {p.Name} state {p.State} backend {p.Backend} {p.Policy}"));
            }
            return 0;
        });

        return new Command("port", "Add, remove and list the switch's ports; set their flags.") { add, del, show, PortPolicyCommands.Set(), PortPolicyCommands.Enable() };
    }

    private static Command Fdb()
    {
        var showPort = new Option<string>("--port") { Description = "Only this port's entries." };
        var showJson = new Option<bool>("--json") { Description = "Print JSON." };
        var show = Calling(new Command("show", "List entries: MAC, port, static or dynamic, age in seconds.") { showPort, showJson }, (parse, client) =>
        {
            string? only = parse.GetValue(showPort);
            FdbEntryInfo[] entries = client.Get(only is null ? "fdb" : "fdb?port=" + ApiClient.Escape(only), ApiJson.Default.FdbEntryInfoArray);
            if (parse.GetValue(showJson))
            {
                return PrintJson(entries, ApiJson.Default.FdbEntryInfoArray);
            }
            foreach (FdbEntryInfo e in entries)
            {
                Console.Out.WriteLine(e.Static
                    ? $"{e.Mac} dev {e.Port} static"
                    : string.Create(CultureInfo.InvariantCulture, $"{e.Mac} dev {e.Port} dynamic age {e.AgeSeconds}s"));
            }
            return 0;
        });

        var addWords = new Argument<string[]>("MAC dev IF [static|dynamic]") { Arity = new ArgumentArity(3, 4) };
        var add = Calling(new Command("add", "Add an entry: fdb add MAC dev IF [static]. Static entries never age and are never moved by learning.") { addWords }, (parse, client) =>
        {
            string[] words = parse.GetValue(addWords)!;
            if (words[1] != "dev" || (words.Length == 4 && words[3] is not ("static" or "dynamic")))
            {
                throw new CliException(ApiClient.Refused, $"usage: fastbridge fdb add MAC dev IF [static|dynamic], not '{string.Join(' ', words)}'");
            }
            var request = new FdbRequest(words[0], words[2], words.Length == 4 && words[3] == "static");
            return PrintResult(client.Send(HttpMethod.Post, "fdb", request, ApiJson.Default.FdbRequest, ApiJson.Default.OkResponse));
        });

        var delMac = new Argument<string>("MAC");
        var del = Calling(new Command("del", "Remove an entry, static or dynamic.") { delMac }, (parse, client) =>
            PrintResult(client.Send(HttpMethod.Delete, "fdb/" + ApiClient.Escape(parse.GetValue(delMac)!), null, ApiJson.Default.OkResponse)));

        var flushPort = new Option<string>("--port") { Description = "Only this port's entries." };
        var flush = Calling(new Command("flush", "Remove the dynamic entries (of one port, or all); static entries stay.") { flushPort }, (parse, client) =>
        {
            string? only = parse.GetValue(flushPort);
            FlushResponse flushed = client.Send(HttpMethod.Post, only is null ? "fdb/flush" : "fdb/flush?port=" + ApiClient.Escape(only), null, ApiJson.Default.FlushResponse);
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"flushed {flushed.Flushed} dynamic entries{(only is null ? "" : " on " + only)}"));
            return 0;
        });

        return new Command("fdb", "Show and edit the forwarding database, as `bridge fdb` does.") { show, add, del, flush };
    }

    private static Command Set()
    {
        var seconds = new Argument<string>("SECONDS") { Description = "Seconds a learned address lives without traffic." };
        var ageing = Calling(new Command("ageing-time", "Set the FDB ageing time.") { seconds }, (parse, client) =>
        {
            string text = parse.GetValue(seconds)!;
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
            {
                throw new CliException(ApiClient.Refused, $"ageing time must be a whole number of seconds, not '{text}'");
            }
            return PrintResult(client.Send(HttpMethod.Put, "ageing-time", new AgeingRequest(value), ApiJson.Default.AgeingRequest, ApiJson.Default.OkResponse));
        });
        return new Command("set", "Change a setting of the running switch.") { ageing };
    }

    private static Command Status()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        return Calling(new Command("status", "Whether the daemon runs, and how it is set up.") { json }, (parse, client) =>
        {
            StatusInfo s = client.Get("status", ApiJson.Default.StatusInfo);
            if (parse.GetValue(json))
            {
                return PrintJson(s, ApiJson.Default.StatusInfo);
            }
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"fastbridge {s.Version}: running, pid {s.Pid}, up {TimeSpan.FromSeconds(Math.Floor(s.UptimeSeconds))}"));
            Console.Out.WriteLine($"ports: {(s.Ports.Count == 0 ? "none" : string.Join(", ", s.Ports))}");
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"backend {s.Backend}, {s.Workers} worker(s), ageing time {s.AgeingTimeSeconds} s, fdb {s.FdbEntries}/{s.FdbMaxEntries}"));
            Console.Out.WriteLine($"api: unix:{s.Socket ?? "-"}{(s.Http is null ? "" : ", http://" + s.Http)}{(s.Config is null ? "" : $"; config {s.Config}")}");
            return 0;
        });
    }

    /// <summary>Prints the daemon's one-line answer to a change; exit 0.</summary>
    private static int PrintResult(OkResponse ok)
    {
        Console.Out.WriteLine(ok.Result);
        return 0;
    }

    /// <summary>Prints <paramref name="value"/> as one line of JSON; exit 0.</summary>
    private static int PrintJson<T>(T value, JsonTypeInfo<T> type)
    {
        Console.Out.WriteLine(JsonSerializer.Serialize(value, type));
        return 0;
    }
}
