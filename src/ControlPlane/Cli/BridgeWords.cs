// The words after a client command, read the way bridge(8) reads them: a leading value (the MAC of
// `fdb add`), KEY VALUE pairs (`dev IF`, `vlan N`, `br X`) and bare words (`master`, `static`), in
// any order. This is the one place such words are parsed: each command declares its WordGrammar
// and takes a BridgeWords argument; a line that does not fit is a usage error (exit 2) naming the
// word that is wrong. Pure; runs on the CLI's one thread.
using System.CommandLine;

namespace FastBridge.ControlPlane.Cli;

/// <summary>A KEY VALUE pair a command takes, such as `dev IF`; Problem says why a value is wrong, or null.</summary>
internal sealed record WordKey(string Name, string ValueName, string Help, bool Required = false, Func<string, string?>? Problem = null);

/// <summary>
/// What one command takes: an optional leading value (named, e.g. MAC), its keys, and groups of bare
/// words of which at most one each may be given (`static|permanent|dynamic`).
/// </summary>
internal sealed record WordGrammar(string? Leading, IReadOnlyList<WordKey> Keys, IReadOnlyList<string[]> Choices)
{
    /// <summary>The grammar as help and errors show it: MAC dev IF [vlan N] [master] [static|permanent|dynamic].</summary>
    public string Usage => string.Join(' ', new[] { Leading }
        .Concat(Keys.Select(k => k.Required ? $"{k.Name} {k.ValueName}" : $"[{k.Name} {k.ValueName}]"))
        .Concat(Choices.Select(c => $"[{string.Join('|', c)}]"))
        .OfType<string>());
}

internal sealed class BridgeWords
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _words = new(StringComparer.Ordinal);

    private BridgeWords()
    {
    }

    /// <summary>The leading value (the MAC), or null when the grammar has none or none was given.</summary>
    public string? Leading { get; private set; }

    /// <summary>The value given after <paramref name="key"/>, or null.</summary>
    public string? Value(string key) => _values.GetValueOrDefault(key);

    /// <summary>Which word of <paramref name="choice"/> was given, or null.</summary>
    public string? Chosen(string[] choice) => choice.FirstOrDefault(_words.Contains);

    /// <summary>
    /// Adds to <paramref name="command"/> (named <paramref name="path"/> in errors, "fdb add") the argument
    /// that takes every word after it, parsed against <paramref name="grammar"/> at parse time; a line
    /// with no words is checked too, so `fdb add` alone says what is missing.
    /// </summary>
    public static Argument<BridgeWords> AddTo(Command command, WordGrammar grammar, string path)
    {
        var words = new Argument<BridgeWords>(grammar.Usage)
        {
            Description = string.Join("; ", grammar.Keys.Select(k => $"{k.Name} {k.ValueName}: {k.Help}")),
            Arity = ArgumentArity.ZeroOrMore,
            CustomParser = result => Parse(grammar, [.. result.Tokens.Select(t => t.Value)], path, result.AddError),
        };
        command.Arguments.Add(words);
        command.Validators.Add(result =>
        {
            if (result.GetResult(words) is not { Tokens.Count: > 0 })
            {
                Parse(grammar, [], path, result.AddError);
            }
        });
        return words;
    }

    /// <summary>The words given to <paramref name="argument"/>'s command; none, when none were.</summary>
    public static BridgeWords Of(ParseResult parse, Argument<BridgeWords> argument) => parse.GetValue(argument) ?? new BridgeWords();

    /// <summary>The words parsed, or (after one call of <paramref name="error"/> naming the wrong word) an empty set.</summary>
    internal static BridgeWords Parse(WordGrammar grammar, IReadOnlyList<string> words, string command, Action<string> error)
    {
        var parsed = new BridgeWords();
        string? problem = parsed.Read(grammar, words);
        if (problem is not null)
        {
            error($"{command}: {problem}");
            return new BridgeWords();
        }
        return parsed;
    }

    private string? Read(WordGrammar grammar, IReadOnlyList<string> words)
    {
        for (int i = 0; i < words.Count; i++)
        {
            string word = words[i];
            string echoed = EchoedText.Cut(word);
            if (grammar.Keys.FirstOrDefault(k => k.Name == word) is { } key)
            {
                if (i + 1 == words.Count)
                {
                    return $"{key.Name} needs {key.ValueName} after it";
                }
                if (_values.ContainsKey(key.Name))
                {
                    return $"{key.Name} is given twice";
                }
                string value = words[++i];
                if (key.Problem?.Invoke(value) is { } wrong)
                {
                    return $"{key.Name}: {wrong}";
                }
                _values[key.Name] = value;
            }
            else if (grammar.Choices.FirstOrDefault(c => c.Contains(word)) is { } choice)
            {
                if (Chosen(choice) is { } earlier)
                {
                    return earlier == word ? $"{word} is given twice" : $"{earlier} and {word} cannot both be given";
                }
                _words.Add(word);
            }
            else if (word.StartsWith('-'))
            {
                return ValueParsers.Unrecognized(word);
            }
            else if (grammar.Leading is not null && Leading is null)
            {
                Leading = word;
            }
            else
            {
                return $"unexpected word '{echoed}' (takes {grammar.Usage})";
            }
        }
        if (grammar.Leading is not null && Leading is null)
        {
            return $"{grammar.Leading} is missing (takes {grammar.Usage})";
        }
        WordKey? missing = grammar.Keys.FirstOrDefault(k => k.Required && !_values.ContainsKey(k.Name));
        return missing is null ? null : $"{missing.Name} {missing.ValueName} is missing (takes {grammar.Usage})";
    }
}
