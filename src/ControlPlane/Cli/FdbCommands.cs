// `fastbridge fdb show|add|del|flush`, in bridge(8)'s words: `fdb add MAC dev IF [master] [static]`,
// `fdb show [dev IF] [vlan N] [br BRIDGE]`, `fdb del MAC [dev IF] [vlan N]`, `fdb flush [dev IF] [vlan N]`; each
// command's words are read by BridgeWords against its grammar here. --port IF, the older spelling
// of `dev IF` on show and flush, is kept. Each command is one API call (ClientCommands.Calling).
using System.CommandLine;
using System.Globalization;
using FastBridge.ControlPlane.Api;
using FastBridge.ControlPlane.Switch;

namespace FastBridge.ControlPlane.Cli;

internal static class FdbCommands
{
    private static readonly string[] s_master = ["master"];
    private static readonly string[] s_states = ["static", "permanent", "dynamic"];

    private static readonly WordKey s_dev = new("dev", "IF", "the port");
    private static readonly WordKey s_requiredDev = s_dev with { Required = true };
    private static readonly WordKey s_vlan = new("vlan", "N", "a VLAN id, 1-4094 (on a VLAN-aware switch, --vlan-filtering)", Problem: VlanProblem);
    private static readonly WordKey s_bridge = new("br", "BRIDGE", "accepted and ignored: FastBridge is one bridge");

    public static Command Create()
    {
        return new Command("fdb", "Show and edit the forwarding database, as `bridge fdb` does.") { Show(), Add(), Del(), Flush() };
    }

    private static Command Show()
    {
        var port = PortAlias();
        var show = new Command("show", "List entries as `bridge fdb show` does: MAC, port, static or dynamic with its age in seconds; " +
            "dev IF (or --port IF): one port's only. With -j: mac, ifname, updated (seconds since a learned entry's source was last seen), " +
            "flags, state (\"static\", or \"\" for a learned entry).") { port };
        var words = BridgeWords.AddTo(show, new WordGrammar(null, [s_dev, s_vlan, s_bridge], []), "fdb show");
        OneWayToName(show, words, port);
        return ClientCommands.Calling(show, (parse, client) =>
        {
            BridgeWords given = BridgeWords.Of(parse, words);
            string? only = given.Value("dev") ?? parse.GetValue(port);
            FdbEntryInfo[] entries = client.Get(only is null ? "fdb" : "fdb?port=" + ApiClient.Escape(only), ApiJson.Default.FdbEntryInfoArray);
            if (given.Value("vlan") is { } onlyVlan)
            {
                // A VLAN-unaware switch has no entry in any VLAN, as bridge shows none on a bridge without vlan_filtering.
                entries = [.. entries.Where(e => e.Vlan?.ToString(CultureInfo.InvariantCulture) == onlyVlan)];
            }
            if (ClientOptions.Json(parse))
            {
                return ClientOptions.PrintJson(parse, BridgeJson.Fdb(entries), BridgeJson.Default.BridgeFdbEntryArray);
            }
            foreach (FdbEntryInfo e in entries)
            {
                string vlan = e.Vlan is { } v ? string.Create(CultureInfo.InvariantCulture, $" vlan {v}") : "";
                Console.Out.WriteLine(e.Static
                    ? $"{e.Mac} dev {e.Port}{vlan} static"
                    : string.Create(CultureInfo.InvariantCulture, $"{e.Mac} dev {e.Port}{vlan} dynamic age {e.AgeSeconds}s"));
            }
            return 0;
        });
    }

    private static Command Add()
    {
        var add = new Command("add", "Add an entry, as `bridge fdb add MAC dev IF master static`. static or permanent (the same here: " +
            "FastBridge has no addresses of its own to deliver to): the entry never ages and learning never moves it; dynamic, or " +
            "neither (where bridge would make it permanent): it ages and moves like a learned one. master is accepted and ignored: " +
            "every entry is the switch's.");
        var words = BridgeWords.AddTo(add, new WordGrammar("MAC", [s_requiredDev, s_vlan], [s_master, s_states]), "fdb add");
        return ClientCommands.Calling(add, (parse, client) =>
        {
            BridgeWords given = BridgeWords.Of(parse, words);
            var request = new FdbRequest(given.Leading, given.Value("dev"), given.Chosen(s_states) is "static" or "permanent", given.Value("vlan"));
            return ClientCommands.PrintResult(client.Send(HttpMethod.Post, "fdb", request, ApiJson.Default.FdbRequest, ApiJson.Default.OkResponse));
        });
    }

    private static Command Del()
    {
        var del = new Command("del", "Remove an entry, static or dynamic. With dev IF (as bridge has it) the entry must be on IF: " +
            "one on another port is left and the command refused. master is accepted and ignored.");
        var words = BridgeWords.AddTo(del, new WordGrammar("MAC", [s_dev, s_vlan], [s_master]), "fdb del");
        return ClientCommands.Calling(del, (parse, client) =>
        {
            BridgeWords given = BridgeWords.Of(parse, words);
            string path = "fdb/" + ApiClient.Escape(given.Leading!) + Query(("port", given.Value("dev")), ("vlan", given.Value("vlan")));
            return ClientCommands.PrintResult(client.Send(HttpMethod.Delete, path, null, ApiJson.Default.OkResponse));
        });
    }

    private static Command Flush()
    {
        var port = PortAlias();
        var vlanOption = new Option<string>("--vlan") { Description = "The same as vlan N.", HelpName = "N" };
        vlanOption.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && VlanProblem(result.Tokens[^1].Value) is { } problem)
            {
                result.AddError($"fdb flush: --vlan: {problem}");
            }
        });
        var flush = new Command("flush", "Remove the dynamic entries, of port IF (dev IF or --port IF), of VLAN N (vlan N), or all, as `bridge fdb flush`; " +
            "static entries stay.") { port, vlanOption };
        var words = BridgeWords.AddTo(flush, new WordGrammar(null, [s_dev, s_vlan], []), "fdb flush");
        OneWayToName(flush, words, port);
        return ClientCommands.Calling(flush, (parse, client) =>
        {
            BridgeWords given = BridgeWords.Of(parse, words);
            string? only = given.Value("dev") ?? parse.GetValue(port);
            string? vlan = given.Value("vlan") ?? parse.GetValue(vlanOption);
            FlushResponse flushed = client.Send(HttpMethod.Post, "fdb/flush" + Query(("port", only), ("vlan", vlan)), null, ApiJson.Default.FlushResponse);
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"flushed {flushed.Flushed} dynamic entries{(only is null ? "" : " on " + only)}{(vlan is null ? "" : " in vlan " + vlan)}"));
            return 0;
        });
    }

    /// <summary>--port IF: the spelling of `dev IF` before the CLI took bridge's words; kept so that scripts keep working.</summary>
    private static Option<string> PortAlias() => new("--port") { Description = "The same as dev IF.", HelpName = "IF" };

    /// <summary>dev IF and --port IF name the same thing: one of them, not both.</summary>
    private static void OneWayToName(Command command, System.CommandLine.Argument<BridgeWords> words, Option<string> port)
    {
        command.Validators.Add(result =>
        {
            if (result.GetResult(port) is { Implicit: false } && result.GetValue(words)?.Value("dev") is not null)
            {
                result.AddError($"fdb {command.Name}: give dev IF or --port IF, not both");
            }
        });
    }

    /// <summary>VLAN ids as bridge(8) takes them: 1 to 4094 (0 and 4095 are reserved by 802.1Q).</summary>
    private static string? VlanProblem(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int vlan) && vlan is >= 1 and <= 4094 ? null
        : $"'{EchoedText.Cut(text)}' is not a VLAN id (1-4094)";

    /// <summary>"?a=x&amp;b=y" of the parameters given, or "" when none is.</summary>
    private static string Query(params (string Name, string? Value)[] parameters)
    {
        string query = string.Join('&', parameters.Where(p => p.Value is not null).Select(p => p.Name + "=" + ApiClient.Escape(p.Value!)));
        return query.Length == 0 ? "" : "?" + query;
    }
}
