using System.Text.Json;
using FastBridge.ControlPlane.Api;
using FastBridge.ControlPlane.Cli;
using FastBridge.ControlPlane.Switch;
using FastBridge.Tests.ControlPlane.Metrics;

namespace FastBridge.Tests.ControlPlane.Daemon;

/// <summary>One daemon with --http and --http-token-file on two veth ports (a third spare), shared by the tests of this class.</summary>
public sealed class HttpApiFixture : DaemonFixture
{
    public HttpApiFixture()
        : this(Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)), PrometheusTests.FreePort())
    {
    }

    private HttpApiFixture(string token, int port)
        : base(3, lab => ["--port", lab.Port(0), "--port", lab.Port(1), "--http", $"127.0.0.1:{port}",
            "--http-token-file", lab.WriteFile("token", token + "\n", UnixFileMode.UserRead | UnixFileMode.UserWrite)])
    {
        Token = token;
        Port = port;
    }

    internal string Token { get; }

    internal int Port { get; }
}

/// <summary>
/// The API over --http as an unprivileged local user (curl under setpriv as nobody) sees it: /metrics
/// only without the token, every change behind the token, JSON content type, a loopback Host, a
/// bounded body of known keys; each refusal one line of JSON that changes nothing.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class HttpApiTests(HttpApiFixture fixture) : IClassFixture<HttpApiFixture>
{
    private const string Json = "Content-Type: application/json";

    private static readonly TimeSpan s_curlTimeout = TimeSpan.FromSeconds(30);
    private const string Mac = "02:00:00:00:ab:01";

    private readonly DaemonLab _lab = fixture.Lab;
    private readonly FastBridgeDaemon _daemon = fixture.Daemon;

    private string Url(string path) => $"http://127.0.0.1:{fixture.Port}{path}";

    private string Bearer => "Authorization: Bearer " + fixture.Token;

    /// <summary>curl as nobody: the status and the body.</summary>
    private static (int Status, string Body) Curl(params string[] args)
    {
        ProcessResult result = ChildProcess.Run("curl", ["-s", "-S", "-o", "-", "-w", "\n%{http_code}", .. args], s_curlTimeout, ChildProcess.Nobody).Trimmed();
        int last = result.Stdout.LastIndexOf('\n');
        Assert.True(last >= 0 && int.TryParse(result.Stdout[(last + 1)..], out _), $"curl {string.Join(' ', args)}: {result}");
        return (int.Parse(result.Stdout[(last + 1)..], System.Globalization.CultureInfo.InvariantCulture), result.Stdout[..last].Trim());
    }

    private (int Status, string Body) Send(string method, string path, string? body, params string[] headers) =>
        Curl([.. headers.SelectMany(h => new[] { "-H", h }), "-X", method, .. body is null ? Array.Empty<string>() : ["--data-binary", body], Url(path)]);

    /// <summary>The status, and a body that is one line of {"error": "..."} containing <paramref name="expected"/>.</summary>
    private static void Refused((int Status, string Body) answer, int status, string expected)
    {
        Assert.True(answer.Status == status, $"wanted {status}, got {answer.Status}: {answer.Body}");
        Assert.DoesNotContain('\n', answer.Body);
        string error = JsonSerializer.Deserialize(answer.Body, ApiJson.Default.ErrorResponse)!.Error;
        Assert.Contains(expected, error);
    }

    private uint AgeingTime() => JsonSerializer.Deserialize(_daemon.Cli("status", "--json").Stdout, ApiJson.Default.StatusInfo)!.AgeingTimeSeconds;

    [Fact]
    public void Metrics_UnprivilegedUserWithoutToken_Served()
    {
        (int status, string body) = Curl(Url("/metrics"));

        Assert.Equal(200, status);
        Assert.Contains("fastbridge_port_rx_packets_total{port=\"" + _lab.Port(0) + "\"}", body);
    }

    [Theory]
    [InlineData("GET", "/status", null)]
    [InlineData("GET", "/ports", null)]
    [InlineData("GET", "/fdb", null)]
    [InlineData("GET", "/stats", null)]
    [InlineData("POST", "/ports", """{"name": "PORT2"}""")]
    [InlineData("DELETE", "/ports/PORT0", null)]
    [InlineData("POST", "/fdb", """{"mac": "02:00:00:00:ab:01", "port": "PORT0", "static": true}""")]
    [InlineData("DELETE", "/fdb/02:00:00:00:ab:02", null)]
    [InlineData("POST", "/fdb/flush", null)]
    [InlineData("PUT", "/ageing-time", """{"seconds": 77}""")]
    public void Route_UnprivilegedUserWithoutOrWithWrongToken_403ChangesNothing(string method, string path, string? body)
    {
        string Named(string text) => text.Replace("PORT0", _lab.Port(0), StringComparison.Ordinal).Replace("PORT2", _lab.Port(2), StringComparison.Ordinal);
        Assert.Equal(0, _daemon.Cli("fdb", "add", "02:00:00:00:ab:02", "dev", _lab.Port(1)).ExitCode);

        Refused(Send(method, Named(path), body is null ? null : Named(body), Json), 403, "send Authorization: Bearer TOKEN");
        Refused(Send(method, Named(path), body is null ? null : Named(body), Json, "Authorization: Bearer " + new string('0', 64)), 403, "wrong token");

        Assert.Equal(300u, AgeingTime());
        Assert.Equal([_lab.Port(0), _lab.Port(1)], JsonSerializer.Deserialize(_daemon.Cli("port", "show", "--json").Stdout, BridgeJson.Default.BridgeLinkArray)!.Select(p => p.Ifname));
        Assert.Contains("02:00:00:00:ab:02", _daemon.Cli("fdb", "show").Stdout);
        Assert.DoesNotContain(Mac, _daemon.Cli("fdb", "show").Stdout);
        Assert.Equal(0, _daemon.Cli("fdb", "del", "02:00:00:00:ab:02").ExitCode);
    }

    [Fact]
    public void EveryRoute_UnprivilegedUserWithToken_Works()
    {
        Assert.Equal(200, Send("GET", "/status", null, Bearer).Status);
        Assert.Equal(201, Send("POST", "/ports", $$"""{"name": "{{_lab.Port(2)}}"}""", Json, Bearer).Status);
        Assert.Contains(_lab.Port(2), Send("GET", "/ports", null, Bearer).Body);
        Assert.Equal(201, Send("POST", "/fdb", $$"""{"mac": "{{Mac}}", "port": "{{_lab.Port(2)}}", "static": true}""", Json, Bearer).Status);
        Assert.Contains(Mac, Send("GET", "/fdb", null, Bearer).Body);
        Assert.Equal(200, Send("DELETE", "/fdb/" + Mac, null, Json, Bearer).Status);
        Assert.Equal(200, Send("POST", "/fdb/flush", null, Json, Bearer).Status);
        Assert.Equal(200, Send("PUT", "/ageing-time", """{"seconds": 77}""", Json, Bearer).Status);
        Assert.Equal(77u, AgeingTime());
        Assert.Equal(200, Send("DELETE", "/ports/" + _lab.Port(2), null, Json, Bearer).Status);
        Assert.Equal(200, Send("GET", "/stats", null, Bearer).Status);

        Assert.DoesNotContain(_lab.Port(2), _daemon.Cli("port", "show").Stdout);
        Assert.Equal(0, _daemon.Cli("set", "ageing-time", "300").ExitCode);
    }

    [Fact]
    public void Change_ContentTypeNotJson_415ChangesNothing()
    {
        Refused(Send("PUT", "/ageing-time", """{"seconds": 77}""", "Content-Type: text/plain", Bearer), 415, "Content-Type must be application/json, not 'text/plain'");
        Refused(Send("POST", "/fdb/flush", null, Bearer), 415, "Content-Type must be application/json");

        Assert.Equal(300u, AgeingTime());
    }

    [Fact]
    public void Request_NonLoopbackHost_403EvenWithToken()
    {
        Refused(Send("PUT", "/ageing-time", """{"seconds": 77}""", Json, Bearer, "Host: fastbridge.example:80"), 403, "Host 'fastbridge.example:80' is not loopback");
        Refused(Curl("-H", "Host: rebound.example", Url("/metrics")), 403, "is not loopback");
        // The Unix socket too: a request there names localhost, as curl --unix-socket and the CLI do.
        ProcessResult unix = ChildProcess.Run("curl", ["-s", "--unix-socket", _lab.Socket, "-H", "Host: rebound.example", "http://localhost/status"], s_curlTimeout).Trimmed();
        Assert.Contains("is not loopback", unix.Stdout);

        Assert.Equal(300u, AgeingTime());
    }

    [Fact]
    public void Change_BodyOverLimit_413OneLine()
    {
        string padded = """{"seconds": 77}""";
        string fits = _lab.WriteFile("fits.json", padded.PadRight(ApiLimits.MaxBodyBytes));
        string over = _lab.WriteFile("over.json", padded.PadRight(ApiLimits.MaxBodyBytes + 1));

        Refused(Send("PUT", "/ageing-time", "@" + over, Json, Bearer), 413, $"request body over the {ApiLimits.MaxBodyBytes}-byte limit");
        Refused(Send("PUT", "/ageing-time", "@" + over, Json, Bearer, "Transfer-Encoding: chunked"), 413, "request body over");
        Assert.Equal(300u, AgeingTime());
        Assert.Equal(200, Send("PUT", "/ageing-time", "@" + fits, Json, Bearer).Status);
        Assert.Equal(77u, AgeingTime());
        Assert.Equal(0, _daemon.Cli("set", "ageing-time", "300").ExitCode);
    }

    [Fact]
    public void Change_UnknownKeyOrStringForNumber_400NamingTheKey()
    {
        Refused(Send("PUT", "/ageing-time", """{"seconds": 77, "colour": "red"}""", Json, Bearer), 400, "unknown key 'colour' (known: seconds)");
        Refused(Send("PUT", "/ageing-time", """{"seconds": "77"}""", Json, Bearer), 400, "key 'seconds' must be a whole number");
        Refused(Send("POST", "/fdb", $$"""{"mac": "{{Mac}}", "port": "{{_lab.Port(0)}}", "static": "yes"}""", Json, Bearer), 400, "key 'static' must be true or false");
        Refused(Send("POST", "/ports", """{"name": null}""", Json, Bearer), 400, "name must be a string naming an interface");

        Assert.Equal(300u, AgeingTime());
        Assert.DoesNotContain(Mac, _daemon.Cli("fdb", "show").Stdout);
    }

    [Fact]
    public void Refusal_LongInput_EchoedCut()
    {
        string name = new('a', 30_000);

        (int status, string body) = Send("POST", "/ports", $$"""{"name": "{{name}}"}""", Json, Bearer);
        Refused((status, body), 400, "is longer than an interface name");
        Assert.True(body.Length < 300, $"{body.Length} bytes of error");
        (status, body) = Send("DELETE", "/ports/" + name[..5000], null, Json, Bearer);
        Refused((status, body), 404, "unknown port aaaa");
        Assert.True(body.Length < 300, $"{body.Length} bytes of error");
    }
}
