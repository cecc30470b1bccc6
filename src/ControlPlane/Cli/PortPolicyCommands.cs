// `fastbridge port set IF FLAG on|off [FLAG on|off ...]`, as `bridge link set dev IF learning off ...`:
// the flag names are the daemon's to check (one place, PortFlagNames); on and off are checked here,
// so a bad word is refused naming it before anything is sent. One API call.
using System.CommandLine;
using FastBridge.ControlPlane.Api;

namespace FastBridge.ControlPlane.Cli;

internal static class PortPolicyCommands
{
    /// <summary>The `port set` subcommand.</summary>
    public static Command Set()
    {
        var name = new Argument<string>("IF") { Description = "The port." };
        var words = new Argument<string[]>("FLAG on|off") { Arity = ArgumentArity.OneOrMore, Description = "learning, flood, mcast_flood, bcast_flood, isolated, hairpin." };
        var set = new Command("set", "Set port flags, as `bridge link set`: learning, flood, mcast_flood, bcast_flood, isolated, hairpin.") { name, words };
        return ClientCommands.Calling(set, (parse, client) =>
        {
            string port = parse.GetValue(name)!;
            OkResponse ok = client.Send(HttpMethod.Put, $"ports/{ApiClient.Escape(port)}/flags", new PortFlagsRequest(Flags(parse.GetValue(words)!)),
                ApiJson.Default.PortFlagsRequest, ApiJson.Default.OkResponse);
            Console.Out.WriteLine(ok.Result);
            return 0;
        });
    }

    /// <summary>"learning off flood on" as flag to on; throws, naming the word, for an odd count or a value not on or off.</summary>
    internal static Dictionary<string, bool> Flags(string[] words)
    {
        if (words.Length % 2 != 0)
        {
            throw new CliException(ApiClient.Refused, $"flag '{EchoedText.Cut(words[^1])}' needs a value: on or off");
        }
        var flags = new Dictionary<string, bool>(StringComparer.Ordinal);
        for (int i = 0; i < words.Length; i += 2)
        {
            flags[words[i]] = words[i + 1] switch
            {
                "on" => true,
                "off" => false,
                _ => throw new CliException(ApiClient.Refused, $"'{EchoedText.Cut(words[i + 1])}' for {EchoedText.Cut(words[i])} must be on or off"),
            };
        }
        return flags;
    }
}
