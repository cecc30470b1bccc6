using FastBridge.ControlPlane.Api;

namespace FastBridge.Tests.ControlPlane.Api;

/// <summary>The --http-token-file checks (as ssh checks a private key) and the bearer comparison.</summary>
public sealed class ApiTokenTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const string Token = "6f1c0a3b9e2d4c7a8b5e1f0d3c2a9b8e";

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("fbtok-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Write(string text, UnixFileMode mode)
    {
        string path = Path.Combine(_dir.FullName, "token");
        File.WriteAllText(path, text);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
        return path;
    }

    [Fact]
    public void TryLoad_OwnerOnlyFile_AcceptsExactlyItsBearerToken()
    {
        Assert.True(ApiToken.TryLoad(Write(Token + "\n", OwnerOnly), out ApiToken? token, out string? error), error);

        Assert.True(token!.Accepts("Bearer " + Token));
        Assert.True(token.Accepts("bearer " + Token));
        Assert.False(token.Accepts("Bearer " + Token[..^1]));
        Assert.False(token.Accepts("Bearer " + Token + "0"));
        Assert.False(token.Accepts("Basic " + Token));
        Assert.False(token.Accepts(Token));
        Assert.False(token.Accepts(null));
        Assert.DoesNotContain(Token, token.ToString());
    }

    [Theory]
    [InlineData(Token, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, "mode 0644 lets its group or others at the token")]
    [InlineData(Token, UnixFileMode.UserRead | UnixFileMode.GroupWrite, "mode 0420 lets its group or others at the token")]
    [InlineData("", OwnerOnly, "is empty")]
    [InlineData("  \n", OwnerOnly, "holds a token of 0 characters")]
    [InlineData("short", OwnerOnly, "holds a token of 5 characters; use at least 16")]
    [InlineData("two words in a token file", OwnerOnly, "printable ASCII without spaces")]
    [InlineData("0123456789abcdéf0123", OwnerOnly, "printable ASCII without spaces")]
    public void TryLoad_BadFile_RefusedWithOneLine(string text, UnixFileMode mode, string expected)
    {
        Assert.False(ApiToken.TryLoad(Write(text, mode), out ApiToken? token, out string? error));

        Assert.Null(token);
        Assert.Contains(expected, error);
        Assert.DoesNotContain('\n', error!);
    }

    [Fact]
    public void TryLoad_MissingOrNotAFile_Refused()
    {
        Assert.False(ApiToken.TryLoad(Path.Combine(_dir.FullName, "absent"), out _, out string? missing));
        Assert.False(ApiToken.TryLoad(_dir.FullName, out _, out string? directory));
        Assert.False(ApiToken.TryLoad("/dev/null", out _, out string? device));

        Assert.Equal("no such file", missing);
        Assert.Equal("is a directory, not a token file", directory);
        Assert.Contains("lets its group or others", device);
    }
}
