// Kestrel serving the management API: on a Unix domain socket (mode 0660, so only root and the
// socket's group may manage the switch) and, when asked, on a loopback TCP address for a Prometheus
// scraper (and, with a token, for the rest of the API: RequestGuard). Both listeners are bounded
// (ApiLimits). Kestrel's own logging is off: the daemon's stdout belongs to its status lines.
using System.Net.Sockets;
using System.Net;
using FastBridge.ControlPlane.Metrics;
using FastBridge.ControlPlane.Switch;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace FastBridge.ControlPlane.Api;

internal sealed class ApiHost : IDisposable
{
    public const string DefaultSocket = "/run/fastbridge/fastbridge.sock";

    private const UnixFileMode SocketMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    private readonly WebApplication _app;
    private readonly string? _socket;

    private ApiHost(WebApplication app, string? socket)
    {
        _app = app;
        _socket = socket;
    }

    /// <summary>Binds and starts serving; throws (one line) when the socket is in use or the address cannot be bound.</summary>
    public static ApiHost Start(SwitchCommands control, string? socket, IPEndPoint? http, ApiToken? token)
    {
        if (socket is not null)
        {
            PrepareSocketPath(socket);
        }
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            ApiLimits.Apply(kestrel.Limits);
            if (socket is not null)
            {
                kestrel.ListenUnixSocket(socket, ApiLimits.Bound);
            }
            if (http is not null)
            {
                kestrel.Listen(http, ApiLimits.Bound);
            }
        });
        WebApplication app = builder.Build();
        ApiRoutes.Map(app, control, new MetricsCollector(control), token);
        try
        {
            app.StartAsync().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or SocketException or InvalidOperationException)
        {
            ((IDisposable)app).Dispose();
            string where = http is not null ? $"{(socket is not null ? socket + " or " : "")}{http}" : socket!;
            throw new InvalidOperationException($"cannot listen on {where}: {(e.InnerException ?? e).Message}", e);
        }
        if (socket is not null && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(socket, SocketMode);
        }
        return new ApiHost(app, socket);
    }

    /// <summary>True when a daemon answers on the socket; a stale socket file (nobody listening) is removed.</summary>
    public static bool InUse(string socket)
    {
        if (!Path.Exists(socket))
        {
            return false;
        }
        try
        {
            using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            probe.Connect(new UnixDomainSocketEndPoint(socket));
            return true;
        }
        catch (SocketException)
        {
            File.Delete(socket);
            return false;
        }
    }

    private static void PrepareSocketPath(string socket)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(socket));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }
        if (InUse(socket))
        {
            throw new InvalidOperationException($"another fastbridge daemon is serving {socket}; stop it or pass --socket PATH");
        }
    }

    public void Dispose()
    {
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            _app.StopAsync(deadline.Token).GetAwaiter().GetResult();
        }
        finally
        {
            ((IDisposable)_app).Dispose();
            if (_socket is not null && Path.Exists(_socket))
            {
                File.Delete(_socket);
            }
        }
    }
}
