// The port mirror routes (issue 14): GET /mirrors lists them with their counts, POST /mirrors adds one,
// DELETE /mirrors/{name} removes one. Same guard, body reading and answers as the other routes.
using FastBridge.ControlPlane.Switch;
using Microsoft.AspNetCore.Builder;

namespace FastBridge.ControlPlane.Api;

internal static partial class ApiRoutes
{
    private static void MapMirrors(WebApplication app, SwitchCommands control)
    {
        app.MapGet("/mirrors", ctx => Answer(ctx, control.Mirrors, ApiJson.Default.MirrorInfoArray));
        app.MapPost("/mirrors", async ctx =>
        {
            MirrorRequest? body = await ReadBody(ctx, ApiJson.Default.MirrorRequest);
            await Answer(ctx, () => { control.AddMirror(body); return new OkResponse($"mirror {body!.Name} added"); }, ApiJson.Default.OkResponse);
        });
        app.MapDelete("/mirrors/{name}", ctx =>
        {
            string name = (string)ctx.Request.RouteValues["name"]!;
            return Answer(ctx, () => { control.RemoveMirror(name); return new OkResponse($"mirror {name} deleted"); }, ApiJson.Default.OkResponse);
        });
    }
}
