// `fastbridge mirror add NAME --src IF[,IF] [--direction rx|tx|both] --dst IF`, `mirror del NAME` and
// `mirror show [-j]`: port mirroring (SPAN). The ports and the direction are the daemon's to check (one
// place, DatapathHost.AddMirror), so a bad one is refused by name. One API call each.
using System.CommandLine;
using System.Globalization;
using FastBridge.ControlPlane.Api;
using FastBridge.ControlPlane.Switch;

namespace FastBridge.ControlPlane.Cli;

internal static class MirrorCommands
{
    public static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "The mirror's name.", CustomParser = ValueParsers.Word };
        var sources = new Option<string>("--src") { Required = true, Description = "The ports whose frames are copied, comma-separated.", HelpName = "IF[,IF]" };
        var direction = new Option<string>("--direction") { Description = "Frames received (rx), sent (tx) or both (the default).", HelpName = "rx|tx|both" };
        var destination = new Option<string>("--dst") { Required = true, Description = "The port copies go to; it takes no part in forwarding.", HelpName = "IF" };
        var add = ClientCommands.Calling(new Command("add", "Copy the frames of source ports to a destination port.") { name, sources, direction, destination }, (parse, client) =>
        {
            var request = new MirrorRequest(parse.GetValue(name)!, parse.GetValue(sources)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                parse.GetValue(destination)!, parse.GetValue(direction));
            Console.Out.WriteLine(client.Send(HttpMethod.Post, "mirrors", request, ApiJson.Default.MirrorRequest, ApiJson.Default.OkResponse).Result);
            return 0;
        });

        var delName = new Argument<string>("NAME") { Description = "The mirror's name.", CustomParser = ValueParsers.Word };
        var del = ClientCommands.Calling(new Command("del", "Remove a mirror; its destination port forwards again.") { delName }, (parse, client) =>
        {
            Console.Out.WriteLine(client.Send(HttpMethod.Delete, $"mirrors/{ApiClient.Escape(parse.GetValue(delName)!)}", null, ApiJson.Default.OkResponse).Result);
            return 0;
        });

        var show = ClientCommands.Calling(new Command("show", "List the mirrors, with the copies each sent and dropped."), (parse, client) =>
        {
            MirrorInfo[] mirrors = client.Get("mirrors", ApiJson.Default.MirrorInfoArray);
            if (ClientOptions.Json(parse))
            {
                return ClientOptions.PrintJson(parse, mirrors, ApiJson.Default.MirrorInfoArray);
            }
            Console.Out.Write(Table(mirrors));
            return 0;
        });

        return new Command("mirror", "Add, remove and list port mirrors (SPAN).") { add, del, show };
    }

    internal static string Table(IEnumerable<MirrorInfo> mirrors)
    {
        var text = new System.Text.StringBuilder();
        foreach (MirrorInfo m in mirrors)
        {
            text.Append(CultureInfo.InvariantCulture, $"{m.Name}: src {string.Join(',', m.Src)} direction {m.Direction} dst {m.Dst} sent {m.Sent} dropped {m.Dropped}\n");
        }
        return text.ToString();
    }
}
