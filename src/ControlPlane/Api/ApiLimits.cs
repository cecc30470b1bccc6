// The bounds of the management API, the same on the Unix socket and on --http: connections held,
// request body size, time to send headers, time an idle connection stays open. Kestrel's defaults
// (no connection limit, 30 MB bodies, 30 s for headers, 130 s keep-alive) let two local clients
// holding 10 100 idle connections each exhaust the daemon's 20 000 descriptors, and ten 29 MB
// bodies at once take its RSS to 3.79 GB (issue 10). Set once at start, before Kestrel listens;
// the cap's counter is touched by Kestrel's connection threads.
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace FastBridge.ControlPlane.Api;

internal static class ApiLimits
{
    /// <summary>
    /// Per listener. The CLI holds one connection per command and a Prometheus server one per scrape,
    /// so 64 is far above any honest use, and the API holds at most 128 descriptors (both listeners).
    /// </summary>
    public const int ConnectionsPerListener = 64;

    /// <summary>The largest honest body, an FDB entry, is under 100 bytes.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>A local client sends its headers in well under a millisecond; 5 s is slack for a loaded box.</summary>
    public static readonly TimeSpan HeadersTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a connection may sit without a request, before its first one too. The CLI sends one
    /// request per connection; a Prometheus server scraping every 15 s reconnects for each scrape
    /// (one TCP handshake on loopback), and a slot an idle client holds is free again within 10 s.
    /// </summary>
    public static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(10);

    public static void Apply(KestrelServerLimits limits)
    {
        limits.MaxRequestBodySize = MaxBodyBytes;
        limits.RequestHeadersTimeout = HeadersTimeout;
        limits.KeepAliveTimeout = KeepAliveTimeout;
    }

    /// <summary>
    /// HTTP/1.1 only (the CLI and Prometheus speak it; HTTP/2 would add 100 streams per connection),
    /// and at most <see cref="ConnectionsPerListener"/> connections on this listener: one more is
    /// closed as soon as it is accepted. Not Kestrel's MaxConcurrentConnections, which counts the
    /// whole server: clients idling on --http would then lock root out of the Unix socket.
    /// </summary>
    public static void Bound(ListenOptions listen)
    {
        listen.Protocols = HttpProtocols.Http1;
        int open = 0;
        listen.Use(next => async connection =>
        {
            try
            {
                if (Interlocked.Increment(ref open) <= ConnectionsPerListener)
                {
                    await next(connection);
                }
            }
            finally
            {
                Interlocked.Decrement(ref open);
            }
        });
    }
}
