// The port policy routes (issue 14): PUT /ports/{name}/flags changes the named flags of a port and
// answers its flags as they now are. Same guard, body reading and answers as the other routes.
using FastBridge.ControlPlane.Switch;
using Microsoft.AspNetCore.Builder;

namespace FastBridge.ControlPlane.Api;

internal static partial class ApiRoutes
{
    private static void MapPolicy(WebApplication app, SwitchCommands control)
    {
        app.MapPut("/ports/{name}/flags", async ctx =>
        {
            string name = (string)ctx.Request.RouteValues["name"]!;
            PortFlagsRequest? body = await ReadBody(ctx, ApiJson.Default.PortFlagsRequest);
            await Answer(ctx, () => new OkResponse($"port {name} {control.ChangePortFlags(name, body?.Flags)}"), ApiJson.Default.OkResponse);
        });
    }
}
