// The port policy routes (issue 14): PUT /ports/{name}/policy changes a port's flags and MAC limit and
// answers its policy as it now is; POST /ports/{name}/enable puts a port a policy shut down back into
// forwarding. Same guard, body reading and answers as the other routes.
using FastBridge.ControlPlane.Switch;
using Microsoft.AspNetCore.Builder;

namespace FastBridge.ControlPlane.Api;

internal static partial class ApiRoutes
{
    private static void MapPolicy(WebApplication app, SwitchCommands control)
    {
        app.MapPut("/ports/{name}/policy", async ctx =>
        {
            string name = (string)ctx.Request.RouteValues["name"]!;
            PortPolicyChange? body = await ReadBody(ctx, ApiJson.Default.PortPolicyChange);
            await Answer(ctx, () => new OkResponse($"port {name} {control.ChangePortPolicy(name, body)}"),
                ApiJson.Default.OkResponse);
        });
        app.MapPost("/ports/{name}/enable", ctx =>
        {
            string name = (string)ctx.Request.RouteValues["name"]!;
            return Answer(ctx, () => { control.EnablePort(name); return new OkResponse($"port {name} enabled"); }, ApiJson.Default.OkResponse);
        });
    }
}
