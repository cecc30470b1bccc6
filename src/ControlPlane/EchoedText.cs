// What an error message may repeat of its input. A refusal names the value it refuses, but input
// has no length of its own: a 29 MB port name came back in a 29 MB API error, a 50 MB config key in
// a 50 MB stderr line (issue 10). Every value an error echoes goes through Cut, which keeps it
// short and on one line. Pure; any thread.
namespace FastBridge.ControlPlane;

internal static class EchoedText
{
    /// <summary>Enough for any interface name, MAC address, path or number worth reading back.</summary>
    public const int MaxChars = 64;

    /// <summary>
    /// The first <paramref name="max"/> characters of <paramref name="text"/> with control characters
    /// (a newline would end the one line) shown as '?', and "…" when something was left out.
    /// </summary>
    public static string Cut(string? text, int max = MaxChars)
    {
        if (text is null)
        {
            return "null";
        }
        string kept = text.Length > max ? text[..(char.IsHighSurrogate(text[max - 1]) ? max - 1 : max)] : text;
        if (kept.Any(char.IsControl))
        {
            kept = string.Concat(kept.Select(c => char.IsControl(c) ? '?' : c));
        }
        return text.Length > max ? kept + "…" : kept;
    }
}
