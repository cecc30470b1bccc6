using FastBridge.ControlPlane;

namespace FastBridge.Tests.ControlPlane;

/// <summary>What an error may repeat of its input: short, on one line.</summary>
public sealed class EchoedTextTests
{
    [Theory]
    [InlineData("veth1_p", "veth1_p")]
    [InlineData(null, "null")]
    [InlineData("a\nb\rc\td", "a?b?c?d")]
    public void Cut_ShortText_KeptWithControlCharactersShown(string? text, string expected) => Assert.Equal(expected, EchoedText.Cut(text));

    [Fact]
    public void Cut_LongText_FirstCharactersAndEllipsis()
    {
        string cut = EchoedText.Cut(new string('x', 50_000_000));

        Assert.Equal(new string('x', EchoedText.MaxChars) + "…", cut);
        Assert.Equal(new string('x', EchoedText.MaxChars), EchoedText.Cut(new string('x', EchoedText.MaxChars)));
    }

    [Fact]
    public void Cut_SurrogatePairAtTheEdge_NotSplit()
    {
        string text = new string('x', EchoedText.MaxChars - 1) + "😀" + "tail";

        Assert.Equal(new string('x', EchoedText.MaxChars - 1) + "…", EchoedText.Cut(text));
    }
}
