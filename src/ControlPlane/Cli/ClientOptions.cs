// The options every client command takes, as `bridge` takes them: -j/--json (JSON, compact; with
// -p/--pretty indented) and --socket PATH. ClientCommands.Calling gives each client command its own
// three, so they may follow the command's words (`fdb show dev veth1 -j`); Hoist moves those typed
// before the command (`fastbridge -j fdb show`, `fastbridge --socket PATH port show`) behind it, so
// that both spellings parse alike. run and lab take none of them: run's -p is --port and its
// --socket is where it listens.
using System.Buffers;
using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FastBridge.ControlPlane.Api;

namespace FastBridge.ControlPlane.Cli;

internal static class ClientOptions
{
    private const string JsonName = "--json";
    private const string PrettyName = "--pretty";
    private const string SocketName = "--socket";

    /// <summary>Adds --json/-j, --pretty/-p and --socket to <paramref name="command"/>.</summary>
    public static void AddTo(Command command)
    {
        command.Options.Add(new Option<bool>(JsonName, "-j") { Description = "Print what the command shows as JSON, on one line, keyed as `bridge -j` where it shows the same thing (commands that change something print their one line as they do without it)." });
        command.Options.Add(new Option<bool>(PrettyName, "-p") { Description = "With -j, indent the JSON." });
        command.Options.Add(new Option<string>(SocketName)
        {
            Description = $"The daemon's API socket (default $FASTBRIDGE_SOCKET, else {ApiHost.DefaultSocket}).",
            HelpName = "PATH",
        });
    }

    public static bool Json(ParseResult parse) => parse.GetValue<bool>(JsonName);

    private static bool Pretty(ParseResult parse) => parse.GetValue<bool>(PrettyName);

    /// <summary>
    /// Prints <paramref name="value"/> as JSON on one line, or indented with -p; the writer's options
    /// win over the context's, and text is left as it is: the reader is a terminal or a script. Exit 0.
    /// </summary>
    public static int PrintJson<T>(ParseResult parse, T value, JsonTypeInfo<T> type)
    {
        var text = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(text, new JsonWriterOptions { Indented = Pretty(parse), Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            JsonSerializer.Serialize(writer, value, type);
        }
        Console.Out.WriteLine(Encoding.UTF8.GetString(text.WrittenSpan));
        return 0;
    }

    /// <summary>--socket, else $FASTBRIDGE_SOCKET, else the default socket.</summary>
    public static string Socket(ParseResult parse) =>
        parse.GetValue<string>(SocketName) is { Length: > 0 } given ? given
        : Environment.GetEnvironmentVariable("FASTBRIDGE_SOCKET") is { Length: > 0 } env ? env
        : ApiHost.DefaultSocket;

    /// <summary>
    /// <paramref name="args"/> with the client options typed before the last command word of a client
    /// command (`-j fdb show`, `fdb -j show`) moved to the end of the line, where the command's own
    /// copies read them; a line for any other command (run, lab) is returned as it is.
    /// </summary>
    public static IReadOnlyList<string> Hoist(IReadOnlyList<string> args, Command root)
    {
        var moved = new List<string>();
        var kept = new List<string>();
        Command at = root;
        int i = 0;
        for (; i < args.Count && at.Subcommands.Count > 0; i++)
        {
            string arg = args[i];
            if (IsFlag(arg) || arg.StartsWith(SocketName + "=", StringComparison.Ordinal))
            {
                moved.Add(arg);
            }
            else if (arg == SocketName && i + 1 < args.Count)
            {
                moved.AddRange([arg, args[++i]]);
            }
            else if (at.Subcommands.FirstOrDefault(c => c.Name == arg) is { } command)
            {
                kept.Add(arg);
                at = command;
            }
            else
            {
                return args;
            }
        }
        return moved.Count > 0 && TakesClientOptions(at) ? [.. kept, .. args.Skip(i), .. moved] : args;
    }

    /// <summary>-j, -p, --json, --pretty, or -j and -p bundled (-jp), as the parser takes them after the command.</summary>
    private static bool IsFlag(string arg) =>
        arg is JsonName or PrettyName || (arg.Length > 1 && arg[0] == '-' && arg[1..].All(c => c is 'j' or 'p'));

    private static bool TakesClientOptions(Command command) =>
        command.Options.Any(o => o.Name == JsonName) || command.Subcommands.Any(TakesClientOptions);
}
