// The bearer token that opens the whole API over --http (--http-token-file FILE). Without it TCP
// serves GET /metrics alone: any local user can connect to a loopback port, while the Unix socket
// (mode 0660) admits root and its group only, so the token is what stands in for that group. The
// file is checked as ssh checks a private key: it must exist, be a regular file, grant its group
// and others nothing, and hold one printable token. Loaded by the config on the main thread;
// Accepts runs on Kestrel's threads and only reads.
using System.Security.Cryptography;
using System.Text;

namespace FastBridge.ControlPlane.Api;

internal sealed class ApiToken
{
    /// <summary>128 bits as hex would be 32; 16 characters still rules out a word typed in haste.</summary>
    public const int MinChars = 16;

    public const int MaxChars = 4096;

    private const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private const string Scheme = "Bearer ";

    // Compared as SHA-256 digests, so the comparison takes the same time whatever the length or the
    // first wrong byte of the token presented.
    private readonly byte[] _digest;

    private ApiToken(string file, byte[] digest)
    {
        File = file;
        _digest = digest;
    }

    public string File { get; }

    /// <summary>Reads and checks the token file; false with one line naming what is wrong.</summary>
    public static bool TryLoad(string file, out ApiToken? token, out string? error)
    {
        token = null;
        error = Check(file, out string? text);
        if (error is not null)
        {
            return false;
        }
        token = new ApiToken(Path.GetFullPath(file), SHA256.HashData(Encoding.UTF8.GetBytes(text!)));
        return true;
    }

    /// <summary>True when <paramref name="authorization"/> is "Bearer TOKEN" with this token.</summary>
    public bool Accepts(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            || authorization.Length - Scheme.Length > MaxChars)
        {
            return false;
        }
        byte[] presented = SHA256.HashData(Encoding.UTF8.GetBytes(authorization[Scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(presented, _digest);
    }

    /// <summary>Same file, same token: a reload that changes neither has nothing to report.</summary>
    public override bool Equals(object? obj) => obj is ApiToken other && other.File == File && other._digest.AsSpan().SequenceEqual(_digest);

    public override int GetHashCode() => File.GetHashCode(StringComparison.Ordinal);

    /// <summary>The file, never the token: configs are logged and printed.</summary>
    public override string ToString() => File;

    private static string? Check(string file, out string? text)
    {
        text = null;
        var info = new FileInfo(file);
        if (!info.Exists)
        {
            return Directory.Exists(file) ? "is a directory, not a token file" : "no such file";
        }
        if (!OperatingSystem.IsWindows() && (info.UnixFileMode & GroupOrOthers) != 0)
        {
            return $"mode {Convert.ToString((int)info.UnixFileMode, 8).PadLeft(4, '0')} lets its group or others at the token; chmod 600 it";
        }
        // A FIFO, a device or a /proc file has no size: refused as empty before a read that could block.
        if (info.Length == 0)
        {
            return "is empty (or not a regular file); put a token in it, e.g. `openssl rand -hex 32 > FILE`";
        }
        if (info.Length > MaxChars + 2)
        {
            return $"holds {info.Length} bytes; a token is at most {MaxChars} characters";
        }
        try
        {
            text = System.IO.File.ReadAllText(file, Encoding.UTF8).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot be read: {e.Message}";
        }
        if (text.Any(c => c is <= ' ' or > '~'))
        {
            return "must hold one token of printable ASCII without spaces, e.g. from `openssl rand -hex 32`";
        }
        return text.Length < MinChars ? $"holds a token of {text.Length} characters; use at least {MinChars}, e.g. `openssl rand -hex 32`" : null;
    }
}
