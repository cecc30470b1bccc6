// The API's VLAN routes (`bridge vlan` over HTTP): GET /vlans, POST /vlans {dev, vid, pvid, untagged},
// DELETE /vlans?dev=IF&vid=N[-M]. Mapped by ApiRoutes behind the same guard; refusals as there.
using FastBridge.ControlPlane.Switch;
using Microsoft.AspNetCore.Builder;

namespace FastBridge.ControlPlane.Api;

internal static class VlanRoutes
{
    public static void Map(WebApplication app, SwitchCommands control)
    {
        app.MapGet("/vlans", ctx => ApiRoutes.Answer(ctx, control.Vlans, ApiJson.Default.VlanPortInfoArray));
        app.MapPost("/vlans", async ctx =>
        {
            VlanRequest? body = await ApiRoutes.ReadBody(ctx, ApiJson.Default.VlanRequest);
            await ApiRoutes.Answer(ctx, () => new OkResponse(control.VlanAdd(body?.Dev, body?.Vid, body?.Pvid ?? false, body?.Untagged ?? false)),
                ApiJson.Default.OkResponse, 201);
        });
        app.MapDelete("/vlans", ctx => ApiRoutes.Answer(ctx, () => new OkResponse(control.VlanDel(ApiRoutes.Query(ctx, "dev"), ApiRoutes.Query(ctx, "vid"))),
            ApiJson.Default.OkResponse));
    }
}
