// The CLI's side of the management API: HTTP/1.1 over the daemon's Unix socket (SocketsHttpHandler
// with a ConnectCallback), JSON through the same source-generated types the daemon uses. Every
// failure becomes a CliException with the one line the user sees: the daemon's refusal, or why
// the daemon could not be reached and what to do about it. Requests name Host localhost and every
// one that changes something says Content-Type: application/json, as RequestGuard requires.
using System.Net.Sockets;
using System.Net;
using System.Text.Json.Serialization.Metadata;
using System.Text.Json;
using System.Text;
using FastBridge.ControlPlane.Api;

namespace FastBridge.ControlPlane.Cli;

/// <summary>A command that failed: the line for stderr and the exit code (1 refused by the daemon, 3 daemon unreachable; 2 is a usage error, from Program).</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

internal sealed class ApiClient : IDisposable
{
    public const int Refused = 1;
    public const int Unreachable = 3;

    private readonly string _socket;
    private readonly HttpClient _http;

    public ApiClient(string socket)
    {
        _socket = socket;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancel) =>
            {
                var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await unix.ConnectAsync(new UnixDomainSocketEndPoint(socket), cancel);
                    return new NetworkStream(unix, ownsSocket: true);
                }
                catch
                {
                    unix.Dispose();
                    throw;
                }
            },
        };
        // A port removal waits at most 2 s for the poll loops; 15 s is far beyond any healthy answer.
        _http = new HttpClient(handler) { BaseAddress = new Uri("http://localhost/"), Timeout = TimeSpan.FromSeconds(15) };
    }

    public T Get<T>(string path, JsonTypeInfo<T> type) => Send(HttpMethod.Get, path, null, type);

    public T Send<TBody, T>(HttpMethod method, string path, TBody body, JsonTypeInfo<TBody> bodyType, JsonTypeInfo<T> type) =>
        Send(method, path, new StringContent(JsonSerializer.Serialize(body, bodyType), Encoding.UTF8, "application/json"), type);

    /// <summary>A change without a body (DELETE, a flush) still says it is JSON: an empty one.</summary>
    public T Send<T>(HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T> type)
    {
        using var request = new HttpRequestMessage(method, path)
        {
            Content = content ?? (method == HttpMethod.Get ? null : new StringContent("", Encoding.UTF8, "application/json")),
        };
        using HttpResponseMessage response = Exchange(request);
        string text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        if (!response.IsSuccessStatusCode)
        {
            string message;
            try
            {
                message = JsonSerializer.Deserialize(text, ApiJson.Default.ErrorResponse)?.Error ?? text;
            }
            catch (JsonException)
            {
                message = $"the daemon answered {(int)response.StatusCode}: {text.Trim()}";
            }
            throw new CliException(Refused, message);
        }
        return JsonSerializer.Deserialize(text, type) ?? throw new CliException(Refused, $"the daemon sent an empty answer to {method} /{path}");
    }

    /// <summary>The answer's body as text (for /metrics).</summary>
    public string GetText(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        using HttpResponseMessage response = Exchange(request);
        return response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
    }

    private HttpResponseMessage Exchange(HttpRequestMessage request)
    {
        if (!Path.Exists(_socket))
        {
            throw NotRunning();
        }
        try
        {
            return _http.Send(request);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException socket)
        {
            throw socket.SocketErrorCode switch
            {
                SocketError.AccessDenied => new CliException(Unreachable,
                    $"permission denied on {_socket}; run as root or as a member of the socket's group"),
                SocketError.ConnectionRefused or SocketError.AddressNotAvailable => NotRunning(),
                _ => new CliException(Unreachable, $"cannot reach the daemon on {_socket}: {socket.Message}"),
            };
        }
        catch (HttpRequestException e) when (e.StatusCode is null && e.InnerException is UnauthorizedAccessException)
        {
            throw new CliException(Unreachable, $"permission denied on {_socket}; run as root or as a member of the socket's group");
        }
        catch (TaskCanceledException)
        {
            throw new CliException(Unreachable, $"the daemon on {_socket} did not answer within {_http.Timeout.TotalSeconds} s");
        }
    }

    private CliException NotRunning() => new(Unreachable,
        $"no fastbridge daemon is running on {_socket}; start one with `fastbridge run --port IF --port IF ..." +
        (_socket == ApiHost.DefaultSocket ? "`" : $" --socket {_socket}`"));

    public void Dispose() => _http.Dispose();

    internal static string Escape(string segment) => WebUtility.UrlEncode(segment);
}
