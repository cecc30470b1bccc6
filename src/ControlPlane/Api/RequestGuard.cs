// Who may do what on the API, checked before any route runs; a refusal is a CommandRefusedException (403,
// 413 or 415 with one line). On the Unix socket the file mode has already decided: root and its
// group. On --http anyone on the host can connect (an unprivileged uid flushed the FDB that way,
// issue 10), so there GET /metrics alone is open and every other request needs the bearer token
// of --http-token-file. On both, every request must name a loopback Host (a page whose DNS name was
// rebound to 127.0.0.1 still sends its own), and every request that changes something must say
// Content-Type: application/json, which no browser sends to another origin without a CORS preflight
// (the API answers none), and fit ApiLimits.MaxBodyBytes. Runs on Kestrel's threads; reads only.
using FastBridge.ControlPlane.Switch;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace FastBridge.ControlPlane.Api;

internal static class RequestGuard
{
    public static readonly string BodyTooLarge = $"request body over the {ApiLimits.MaxBodyBytes}-byte limit";

    public static void Check(HttpContext ctx, ApiToken? token)
    {
        HttpRequest request = ctx.Request;
        if (!IsLoopback(request.Host))
        {
            throw new CommandRefusedException(403, $"Host '{EchoedText.Cut(request.Host.Value ?? "")}' is not loopback; the API answers requests for localhost, 127.0.0.1 or [::1] only");
        }
        bool read = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);
        // A Unix socket connection has no IP address; Kestrel gives every TCP one its own.
        if (ctx.Connection.LocalIpAddress is not null && !(HttpMethods.IsGet(request.Method) && request.Path.Equals("/metrics")))
        {
            if (token is null)
            {
                throw new CommandRefusedException(403, "over --http only GET /metrics is served; use the Unix socket, or start the daemon with --http-token-file FILE and send Authorization: Bearer TOKEN");
            }
            if (!token.Accepts(request.Headers.Authorization))
            {
                throw new CommandRefusedException(403, "missing or wrong token: send Authorization: Bearer TOKEN, the token in the daemon's --http-token-file");
            }
        }
        if (read)
        {
            return;
        }
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out MediaTypeHeaderValue? type)
            || !type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw new CommandRefusedException(415, request.ContentType is null
                ? "Content-Type must be application/json, not missing"
                : $"Content-Type must be application/json, not '{EchoedText.Cut(request.ContentType)}'");
        }
        if (request.ContentLength > ApiLimits.MaxBodyBytes)
        {
            throw new CommandRefusedException(413, BodyTooLarge);
        }
    }

    /// <summary>localhost, or a loopback address (127.0.0.0/8, [::1]), with or without a port.</summary>
    private static bool IsLoopback(HostString host)
    {
        string name = host.Host;
        if (name.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        if (name.StartsWith('[') && name.EndsWith(']'))
        {
            name = name[1..^1];
        }
        return System.Net.IPAddress.TryParse(name, out System.Net.IPAddress? address) && System.Net.IPAddress.IsLoopback(address);
    }
}
