// Parsers for the numbers a command line carries, so that a bad one is refused in words naming
// the option and the value ("--workers: 'abc' is not a whole number"), never with the parser's
// own message, which names a .NET type; and a word that is an unknown option named as one. Every Option<int>/Option<double>/Argument<long> of the
// CLI sets one of these as its CustomParser (CommandLineTests walks the tree to check).
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace FastBridge.ControlPlane.Cli;

internal static class ValueParsers
{
    /// <summary>A whole number (an optional minus sign, digits), or a usage error: "NAME: 'x' is not a whole number[ of UNIT]".</summary>
    public static Func<ArgumentResult, T> Whole<T>(string name, string unit = "")
        where T : IBinaryInteger<T> => result =>
    {
        string text = Single(result);
        if (T.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out T? value))
        {
            return value;
        }
        Refuse(result, text, $"{name}: '{EchoedText.Cut(text)}' is not a whole number{Of(unit)}");
        return T.Zero;
    };

    /// <summary>A decimal number such as 0.5, or a usage error: "NAME: 'x' is not a number[ of UNIT]".</summary>
    public static Func<ArgumentResult, double> Decimal(string name, string unit = "") => result =>
    {
        string text = Single(result);
        if (double.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value))
        {
            return value;
        }
        Refuse(result, text, $"{name}: '{EchoedText.Cut(text)}' is not a number{Of(unit)}");
        return 0;
    };

    /// <summary>
    /// A word such as an interface name. One that starts with '-' is an option the command does not
    /// take, which the parser hands to the argument as a word: refused as what it is.
    /// </summary>
    public static string Word(ArgumentResult result)
    {
        string text = Single(result);
        if (text.StartsWith('-'))
        {
            result.AddError(Unrecognized(text));
        }
        return text;
    }

    /// <summary>Words such as `dev IF vid 10`, as Word takes one: any that starts with '-' is refused as an unknown option.</summary>
    public static string[] Words(ArgumentResult result)
    {
        string[] words = [.. result.Tokens.Select(t => t.Value)];
        if (words.FirstOrDefault(w => w.StartsWith('-')) is { } option)
        {
            result.AddError(Unrecognized(option));
        }
        return words;
    }

    /// <summary>Adds <paramref name="error"/>, or for a word that looks like an option (--bogus, not -5), that it is an unknown one.</summary>
    private static void Refuse(ArgumentResult result, string text, string error) =>
        result.AddError(text.StartsWith('-') && !(text.Length > 1 && char.IsAsciiDigit(text[1])) ? Unrecognized(text) : error);

    /// <summary>The one wording of an option no command takes.</summary>
    internal static string Unrecognized(string option) => UnrecognizedPrefix + EchoedText.Cut(option) + "'";

    internal const string UnrecognizedPrefix = "unrecognized option '";

    private static string Single(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";

    private static string Of(string unit) => unit.Length == 0 ? "" : " of " + unit;
}
