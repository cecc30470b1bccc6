// Parsers for the numbers a command line carries, so that a bad one is refused in words naming
// the option and the value ("--workers: 'abc' is not a whole number"), never with the parser's
// own message, which names a .NET type. Every Option<int>/Option<double>/Argument<long> of the
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
        result.AddError($"{name}: '{EchoedText.Cut(text)}' is not a whole number{Of(unit)}");
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
        result.AddError($"{name}: '{EchoedText.Cut(text)}' is not a number{Of(unit)}");
        return 0;
    };

    private static string Single(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";

    private static string Of(string unit) => unit.Length == 0 ? "" : " of " + unit;
}
