// The CLI that talks to a running daemon, shaped like iproute2's `bridge`: `port add|del|show`,
// `fdb show|add|del|flush` (FdbCommands), `set ageing-time`, `status` (and `stats`, in
// StatsCommand). Each command is one API call and takes -j/-p/--socket (ClientOptions); any refusal
// is one line on stderr, exit 1, and an unreachable daemon exit 3 with how to start one (exit 2
// stays a usage error, found by the parser before anything is sent).
using System.CommandLine;
using System.Globalization;
using FastBridge.ControlPlane.Api;
using FastBridge.ControlPlane.Switch;

namespace FastBridge.ControlPlane.Cli;

internal static class ClientCommands
{
    /// <summary>The client command groups, one entry each; a new group (vlan, mirror...) is one more entry.</summary>
    public static IEnumerable<Command> Create() => [Port(), FdbCommands.Create(), Set(), Status(), StatsCommand.Create(), VlanCommands.Create(), MirrorCommands.Create()];

    /// <summary>
    /// Gives <paramref name="command"/> the client options (ClientOptions) and an action that runs
    /// <paramref name="action"/> against the daemon on --socket, turning a CliException into its line and exit code.
    /// </summary>
    public static Command Calling(Command command, Func<ParseResult, ApiClient, int> action)
    {
        ClientOptions.AddTo(command);
        command.SetAction(parse =>
        {
            using var client = new ApiClient(ClientOptions.Socket(parse));
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
        var addName = new Argument<string>("IF") { Description = "The interface to add.", CustomParser = ValueParsers.Word };
        var add = Calling(new Command("add", "Add an interface as a port while the switch forwards.") { addName }, (parse, client) =>
            PrintResult(client.Send(HttpMethod.Post, "ports", new PortRequest(parse.GetValue(addName)), ApiJson.Default.PortRequest, ApiJson.Default.OkResponse)));

        var delName = new Argument<string>("IF") { Description = "The port to remove.", CustomParser = ValueParsers.Word };
        var del = Calling(new Command("del", "Remove a port; its FDB entries are flushed, the other ports keep forwarding.") { delName }, (parse, client) =>
            PrintResult(client.Send(HttpMethod.Delete, "ports/" + ApiClient.Escape(parse.GetValue(delName)!), null, ApiJson.Default.OkResponse)));

        var show = Calling(new Command("show", "List the ports: id, name, state (forwarding, or disabled and why) and backend. With -j: ifname, port, state, reason, backend."), (parse, client) =>
        {
            PortInfo[] ports = client.Get("ports", ApiJson.Default.PortInfoArray);
            if (ClientOptions.Json(parse))
            {
                return ClientOptions.PrintJson(parse, BridgeJson.Links(ports), BridgeJson.Default.BridgeLinkArray);
            }
            foreach (PortInfo p in ports)
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{p.Id}: {p.Name} state {p.State} backend {p.Backend} fast-path {p.FastPath} {p.Policy}"));
            }
            return 0;
        });

        return new Command("port", "Add, remove and list the switch's ports; set their flags.") { add, del, show, PortPolicyCommands.Set(), PortPolicyCommands.Enable() };
    }

    private static Command Set()
    {
        var seconds = new Argument<long>("SECONDS")
        {
            Description = "Seconds a learned address lives without traffic (the daemon takes 1 to 1000000).",
            CustomParser = ValueParsers.Whole<long>("ageing-time", "seconds"),
        };
        var ageing = Calling(new Command("ageing-time", "Set the FDB ageing time.") { seconds }, (parse, client) =>
            PrintResult(client.Send(HttpMethod.Put, "ageing-time", new AgeingRequest(parse.GetValue(seconds)), ApiJson.Default.AgeingRequest, ApiJson.Default.OkResponse)));
        return new Command("set", "Change a setting of the running switch.") { ageing };
    }

    private static Command Status()
    {
        return Calling(new Command("status", "Whether the daemon runs, and how it is set up. With -j: the API's /status."), (parse, client) =>
        {
            StatusInfo s = client.Get("status", ApiJson.Default.StatusInfo);
            if (ClientOptions.Json(parse))
            {
                return ClientOptions.PrintJson(parse, s, ApiJson.Default.StatusInfo);
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
    internal static int PrintResult(OkResponse ok)
    {
        Console.Out.WriteLine(ok.Result);
        return 0;
    }
}
