// `fastbridge port set IF [FLAG on|off]... [max_learned N] [limit_action stop|shutdown]`, as `bridge link
// set dev IF learning off ...`, and `port enable IF` for a port a policy shut down. Flag names are the
// daemon's to check (one place, PortFlagNames); the shape of each value is checked here, so a bad word
// is refused, naming it, before anything is sent. One API call each.
using System.CommandLine;
using System.Globalization;
using FastBridge.ControlPlane.Api;
using FastBridge.ControlPlane.Switch;

namespace FastBridge.ControlPlane.Cli;

internal static class PortPolicyCommands
{
    private const string Words = "FLAG on|off | max_learned N | limit_action stop|shutdown | storm_broadcast|storm_multicast|storm_unknown_unicast N|off";

    /// <summary>The `port set` subcommand.</summary>
    public static Command Set()
    {
        var name = new Argument<string>("IF") { Description = "The port.", CustomParser = ValueParsers.Word };
        var words = new Argument<string[]>(Words) { Arity = ArgumentArity.OneOrMore, CustomParser = ValueParsers.Words, Description = "Flags: learning, flood, mcast_flood, bcast_flood, isolated, hairpin." };
        var set = new Command("set", "Set a port's flags (as `bridge link set`) and its limit on learned addresses.") { name, words };
        return ClientCommands.Calling(set, (parse, client) =>
        {
            string port = parse.GetValue(name)!;
            OkResponse ok = client.Send(HttpMethod.Put, $"ports/{ApiClient.Escape(port)}/policy", Request(parse.GetValue(words)!),
                ApiJson.Default.PortPolicyChange, ApiJson.Default.OkResponse);
            Console.Out.WriteLine(ok.Result);
            return 0;
        });
    }

    /// <summary>The `port enable` subcommand.</summary>
    public static Command Enable()
    {
        var name = new Argument<string>("IF") { Description = "The port.", CustomParser = ValueParsers.Word };
        var enable = new Command("enable", "Put a port that a policy shut down (max_learned with limit_action shutdown) back into forwarding.") { name };
        return ClientCommands.Calling(enable, (parse, client) =>
        {
            OkResponse ok = client.Send(HttpMethod.Post, $"ports/{ApiClient.Escape(parse.GetValue(name)!)}/enable", null, ApiJson.Default.OkResponse);
            Console.Out.WriteLine(ok.Result);
            return 0;
        });
    }

    /// <summary>"learning off max_learned 10 storm_broadcast 500" as a change; throws, naming the word, for a missing or malformed value.</summary>
    internal static PortPolicyChange Request(string[] words)
    {
        if (words.Length % 2 != 0)
        {
            throw new CliException(ApiClient.Refused, $"'{EchoedText.Cut(words[^1])}' needs a value ({Words})");
        }
        var change = new PortPolicyChange(new Dictionary<string, bool>(StringComparer.Ordinal));
        for (int i = 0; i < words.Length; i += 2)
        {
            string key = words[i], value = words[i + 1];
            change = key switch
            {
                "max_learned" => change with { MaxLearned = Count(key, value, "0 for no limit") },
                "limit_action" => change with { LimitAction = value },
                "storm_broadcast" => change with { StormBroadcast = Rate(key, value) },
                "storm_multicast" => change with { StormMulticast = Rate(key, value) },
                "storm_unknown_unicast" => change with { StormUnknownUnicast = Rate(key, value) },
                _ => Flag(change, key, value),
            };
        }
        return change;
    }

    private static PortPolicyChange Flag(PortPolicyChange change, string key, string value)
    {
        change.Flags![key] = value switch
        {
            "on" => true,
            "off" => false,
            _ => throw new CliException(ApiClient.Refused, $"'{EchoedText.Cut(value)}' for {EchoedText.Cut(key)} must be on or off"),
        };
        return change;
    }

    /// <summary>Frames/s, at least 1; off removes the limit (0 to the API).</summary>
    private static int Rate(string key, string value) =>
        value == "off" ? 0 : Count(key, value, "off for no limit") is int rate and > 0 ? rate
        : throw new CliException(ApiClient.Refused, $"{key} must be at least 1 frame/s (off for no limit), not '{EchoedText.Cut(value)}'");

    private static int Count(string key, string value, string zero) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            ? n
            : throw new CliException(ApiClient.Refused, $"{key} must be a whole number, {zero}, not '{EchoedText.Cut(value)}'");
}
