// `fastbridge port set IF [FLAG on|off]... [max_learned N] [limit_action stop|shutdown]`, as `bridge link
// set dev IF learning off ...`, and `port enable IF` for a port a policy shut down. Flag names are the
// daemon's to check (one place, PortFlagNames); the shape of each value is checked here, so a bad word
// is refused, naming it, before anything is sent. One API call each.
using System.CommandLine;
using System.Globalization;
using FastBridge.ControlPlane.Api;

namespace FastBridge.ControlPlane.Cli;

internal static class PortPolicyCommands
{
    private const string Words = "FLAG on|off | max_learned N | limit_action stop|shutdown";

    /// <summary>The `port set` subcommand.</summary>
    public static Command Set()
    {
        var name = new Argument<string>("IF") { Description = "The port." };
        var words = new Argument<string[]>(Words) { Arity = ArgumentArity.OneOrMore, Description = "Flags: learning, flood, mcast_flood, bcast_flood, isolated, hairpin." };
        var set = new Command("set", "Set a port's flags (as `bridge link set`) and its limit on learned addresses.") { name, words };
        return ClientCommands.Calling(set, (parse, client) =>
        {
            string port = parse.GetValue(name)!;
            OkResponse ok = client.Send(HttpMethod.Put, $"ports/{ApiClient.Escape(port)}/policy", Request(parse.GetValue(words)!),
                ApiJson.Default.PortPolicyRequest, ApiJson.Default.OkResponse);
            Console.Out.WriteLine(ok.Result);
            return 0;
        });
    }

    /// <summary>The `port enable` subcommand.</summary>
    public static Command Enable()
    {
        var name = new Argument<string>("IF") { Description = "The port." };
        var enable = new Command("enable", "Put a port that a policy shut down (max_learned with limit_action shutdown) back into forwarding.") { name };
        return ClientCommands.Calling(enable, (parse, client) =>
        {
            OkResponse ok = client.Send(HttpMethod.Post, $"ports/{ApiClient.Escape(parse.GetValue(name)!)}/enable", null, ApiJson.Default.OkResponse);
            Console.Out.WriteLine(ok.Result);
            return 0;
        });
    }

    /// <summary>"learning off max_learned 10" as a request; throws, naming the word, for a missing or malformed value.</summary>
    internal static PortPolicyRequest Request(string[] words)
    {
        if (words.Length % 2 != 0)
        {
            throw new CliException(ApiClient.Refused, $"'{EchoedText.Cut(words[^1])}' needs a value ({Words})");
        }
        var flags = new Dictionary<string, bool>(StringComparer.Ordinal);
        int? maxLearned = null;
        string? limitAction = null;
        for (int i = 0; i < words.Length; i += 2)
        {
            string key = words[i], value = words[i + 1];
            switch (key)
            {
                case "max_learned":
                    maxLearned = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n)
                        ? n
                        : throw new CliException(ApiClient.Refused, $"max_learned must be a whole number, 0 for no limit, not '{EchoedText.Cut(value)}'");
                    break;
                case "limit_action":
                    limitAction = value;
                    break;
                default:
                    flags[key] = value switch
                    {
                        "on" => true,
                        "off" => false,
                        _ => throw new CliException(ApiClient.Refused, $"'{EchoedText.Cut(value)}' for {EchoedText.Cut(key)} must be on or off"),
                    };
                    break;
            }
        }
        return new PortPolicyRequest(flags, maxLearned, limitAction);
    }
}
