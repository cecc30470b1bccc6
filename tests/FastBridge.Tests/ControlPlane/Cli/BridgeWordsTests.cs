using FastBridge.ControlPlane.Cli;

namespace FastBridge.Tests.ControlPlane.Cli;

/// <summary>bridge(8)'s words in any order, and a line that does not fit refused naming the word.</summary>
public sealed class BridgeWordsTests
{
    private static readonly string[] s_states = ["static", "permanent", "dynamic"];
    private static readonly WordGrammar s_add = new("MAC",
        [new WordKey("dev", "IF", "the port", Required: true), new WordKey("vlan", "N", "a VLAN", Problem: v => v == "0" ? "'0' is reserved" : null)],
        [["master"], s_states]);

    [Fact]
    public void Parse_AnyOrder_ReadsLeadingKeysAndChoices()
    {
        BridgeWords words = Parse(s_add, "dev", "veth1", "static", "02:00:00:00:00:01", "master", "vlan", "5")!;

        Assert.Equal("02:00:00:00:00:01", words.Leading);
        Assert.Equal("veth1", words.Value("dev"));
        Assert.Equal("5", words.Value("vlan"));
        Assert.Equal("static", words.Chosen(s_states));
        Assert.Equal("master", words.Chosen(["master"]));
    }

    [Fact]
    public void Usage_Grammar_ReadsAsBridgeHelpDoes()
    {
        Assert.Equal("MAC dev IF [vlan N] [master] [static|permanent|dynamic]", s_add.Usage);
    }

    [Theory]
    [InlineData("fdb add: MAC is missing", "dev", "a")]
    [InlineData("fdb add: dev IF is missing", "02:00:00:00:00:01")]
    [InlineData("fdb add: vlan: '0' is reserved", "02:00:00:00:00:01", "dev", "a", "vlan", "0")]
    [InlineData("fdb add: unrecognized option '--bogus'", "02:00:00:00:00:01", "dev", "a", "--bogus")]
    [InlineData("fdb add: master is given twice", "02:00:00:00:00:01", "dev", "a", "master", "master")]
    [InlineData("fdb add: permanent and dynamic cannot both be given", "02:00:00:00:00:01", "dev", "a", "permanent", "dynamic")]
    [InlineData("fdb add: unexpected word 'x'", "02:00:00:00:00:01", "x", "dev", "a")]
    public void Parse_LineThatDoesNotFit_OneErrorNamingTheWord(string expected, params string[] line)
    {
        var errors = new List<string>();

        BridgeWords.Parse(s_add, line, "fdb add", errors.Add);

        Assert.Equal(expected, Assert.Single(errors).Split(" (takes")[0]);
    }

    private static BridgeWords? Parse(WordGrammar grammar, params string[] line)
    {
        var errors = new List<string>();
        BridgeWords words = BridgeWords.Parse(grammar, line, "fdb add", errors.Add);
        Assert.Empty(errors);
        return words;
    }
}
