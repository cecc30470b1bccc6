// The management API's routes, the same on the Unix socket and on --http, behind RequestGuard
// (which, over TCP, lets GET /metrics alone through without the token). Each handler reads its JSON
// body with the source-generated context, runs one SwitchCommands command and answers JSON; a
// refusal is its status code with {"error": "one line"}.
using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json.Serialization.Metadata;
using System.Text.Json;
using FastBridge.ControlPlane.Metrics;
using FastBridge.ControlPlane.Switch;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Prometheus;

namespace FastBridge.ControlPlane.Api;

internal static partial class ApiRoutes
{
    public static void Map(WebApplication app, SwitchCommands control, MetricsCollector metrics, ApiToken? token)
    {
        // A refusal raised before a handler's own try (the guard, a malformed body, a body over the
        // limit that Kestrel notices while reading it) still answers one line.
        app.Use(async (ctx, next) =>
        {
            try
            {
                RequestGuard.Check(ctx, token);
                await next(ctx);
            }
            catch (CommandRefusedException e) when (!ctx.Response.HasStarted)
            {
                await Fail(ctx, e.Status, e.Message);
            }
            catch (BadHttpRequestException e) when (!ctx.Response.HasStarted)
            {
                await Fail(ctx, e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge ? RequestGuard.BodyTooLarge : EchoedText.Cut(e.Message, 200));
            }
        });
        app.MapGet("/status", ctx => Answer(ctx, () => control.Status(), ApiJson.Default.StatusInfo));
        app.MapGet("/ports", ctx => Answer(ctx, control.Ports, ApiJson.Default.PortInfoArray));
        app.MapPost("/ports", async ctx =>
        {
            PortRequest? body = await ReadBody(ctx, ApiJson.Default.PortRequest);
            await Answer(ctx, () => { control.AddPort(body?.Name); return new OkResponse($"port {body?.Name} added"); }, ApiJson.Default.OkResponse, 201);
        });
        app.MapDelete("/ports/{name}", ctx =>
        {
            string name = (string)ctx.Request.RouteValues["name"]!;
            return Answer(ctx, () => { control.RemovePort(name); return new OkResponse($"port {name} removed"); }, ApiJson.Default.OkResponse);
        });
        app.MapGet("/fdb", ctx => Answer(ctx, () => control.Fdb(Query(ctx, "port")), ApiJson.Default.FdbEntryInfoArray));
        app.MapPost("/fdb", async ctx =>
        {
            FdbRequest? body = await ReadBody(ctx, ApiJson.Default.FdbRequest);
            await Answer(ctx, () =>
            {
                control.FdbAdd(body?.Mac, body?.Port, body?.Static ?? false, body?.Vlan);
                return new OkResponse($"{body!.Mac} dev {body.Port}{(body.Vlan is null ? "" : " vlan " + body.Vlan)} {(body.Static ? "static" : "dynamic")} added");
            }, ApiJson.Default.OkResponse, 201);
        });
        app.MapDelete("/fdb/{mac}", ctx =>
        {
            string mac = (string)ctx.Request.RouteValues["mac"]!;
            return Answer(ctx, () => { control.FdbDel(mac, Query(ctx, "port"), Query(ctx, "vlan")); return new OkResponse($"{mac} removed"); }, ApiJson.Default.OkResponse);
        });
        app.MapPost("/fdb/flush", ctx => Answer(ctx, () => new FlushResponse(control.FdbFlush(Query(ctx, "port"), Query(ctx, "vlan"))), ApiJson.Default.FlushResponse));
        VlanRoutes.Map(app, control);
        app.MapGet("/stats", ctx => Answer(ctx, control.Stats, ApiJson.Default.StatsInfo));
        app.MapPut("/ageing-time", async ctx =>
        {
            AgeingRequest? body = await ReadBody(ctx, ApiJson.Default.AgeingRequest);
            await Answer(ctx, () => { control.SetAgeingTime(body?.Seconds); return new OkResponse($"ageing time {body!.Seconds} s"); }, ApiJson.Default.OkResponse);
        });
        MapPolicy(app, control);
        MapMirrors(app, control);
        // The text format only: OpenMetrics, which Prometheus asks for first, spells bounds le="1.0" where the
        // text format (curl, promtool) says le="1", and a scraper that switched would split each bucket's series.
        app.MapMetrics(serve =>
            {
                serve.Registry = metrics.Registry;
                serve.EnableOpenMetrics = false;
            }, "/metrics")
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get]));
        app.MapFallback(ctx => Fail(ctx, 404, $"no such API route: {EchoedText.Cut(ctx.Request.Method)} {EchoedText.Cut(ctx.Request.Path)}"));
    }

    internal static string? Query(HttpContext ctx, string name) =>
        ctx.Request.Query.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value.ToString() : null;

    internal static async Task<T?> ReadBody<T>(HttpContext ctx, JsonTypeInfo<T> type)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync(ctx.Request.Body, type, ctx.RequestAborted);
        }
        catch (JsonException e)
        {
            throw new CommandRefusedException(400, BodyError(e, type));
        }
    }

    /// <summary>
    /// One line for a body that does not fit its type: the key that is unknown (request types refuse
    /// unmapped members, as the config refuses unknown keys) or of the wrong kind, else the parser's
    /// first sentence (System.Text.Json appends " Path: ... | LineNumber: ...").
    /// </summary>
    internal static string BodyError(JsonException e, JsonTypeInfo type)
    {
        string? key = e.InnerException is JsonException || e.Path is null || !e.Path.StartsWith("$.", StringComparison.Ordinal) ? null : e.Path[2..];
        if (key is null && e.Path is ['$', '[', '\'', .., '\'', ']'] quoted)
        {
            key = quoted[3..^2];
        }
        if (key is null)
        {
            return $"malformed JSON body: {EchoedText.Cut(e.Message.Split(" Path:")[0], 200)}";
        }
        JsonPropertyInfo? property = type.Properties.FirstOrDefault(p => p.Name == key);
        if (property is null)
        {
            return $"unknown key '{EchoedText.Cut(key)}' (known: {string.Join(", ", type.Properties.Select(p => p.Name))})";
        }
        Type kind = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        string wanted = kind == typeof(string) ? "a string" : kind == typeof(bool) ? "true or false" : "a whole number";
        return $"key '{key}' must be {wanted}";
    }

    internal static async Task Answer<T>(HttpContext ctx, Func<T> command, JsonTypeInfo<T> type, int status = 200)
    {
        T result;
        try
        {
            result = command();
        }
        catch (CommandRefusedException e)
        {
            await Fail(ctx, e.Status, e.Message);
            return;
        }
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(ctx.Response.Body, result, type);
    }

    /// <summary>
    /// {"error": "..."} on one line, whatever the context's indenting (a writer's own options win),
    /// with ' and non-ASCII left as they are: the reader is a terminal, never an HTML page.
    /// </summary>
    private static async Task Fail(HttpContext ctx, int status, string message)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        var line = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(line, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            JsonSerializer.Serialize(writer, new ErrorResponse(message), ApiJson.Default.ErrorResponse);
        }
        line.Write("\n"u8);
        await ctx.Response.Body.WriteAsync(line.WrittenMemory);
    }
}
