// `fastbridge vlan add|del|show`, worded as iproute2's `bridge vlan`: `vlan add dev IF vid N[-M] [pvid]
// [untagged]`, `vlan del dev IF vid N[-M]`, `vlan show [-j]` printing bridge's table (port, vlan-id,
// PVID, Egress Untagged) or its -j shape. One API call each; refusals as every client command's. A vid outside
// 1-4094 or malformed is a usage error (exit 2), as `fdb show vlan 4095` is; the daemon checks it again for the API.
using System.CommandLine;
using System.Globalization;
using FastBridge.ControlPlane.Api;
using FastBridge.ControlPlane.Switch;

namespace FastBridge.ControlPlane.Cli;

internal static class VlanCommands
{
    /// <summary>bridge vlan show's column: IFNAMSIZ, then two spaces.</summary>
    private const int PortColumn = 16;

    private static readonly WordKey s_dev = new("dev", "IF", "the port", Required: true);
    private static readonly WordKey s_vid = new("vid", "N[-M]", "a VLAN id or a range, 1-4094", Required: true,
        Problem: text => VlanRange.TryParse(text, out string? problem) is null ? problem : null);
    private static readonly string[] s_pvid = ["pvid"];
    private static readonly string[] s_untagged = ["untagged"];

    public static Command Create()
    {
        var add = new Command("add", "Make a port a member of VLANs, as `bridge vlan add dev IF vid 10[-20] [pvid] [untagged]`: pvid makes the VLAN " +
            "the one untagged and priority-tagged frames arriving on the port belong to; untagged makes the port send the VLAN's frames untagged.");
        var addWords = BridgeWords.AddTo(add, new WordGrammar(null, [s_dev, s_vid], [s_pvid, s_untagged]), "vlan add");
        ClientCommands.Calling(add, (parse, client) =>
        {
            BridgeWords given = BridgeWords.Of(parse, addWords);
            var request = new VlanRequest(given.Value("dev"), given.Value("vid"), given.Chosen(s_pvid) is not null, given.Chosen(s_untagged) is not null);
            return ClientCommands.PrintResult(client.Send(HttpMethod.Post, "vlans", request, ApiJson.Default.VlanRequest, ApiJson.Default.OkResponse));
        });

        var del = new Command("del", "Take a port out of VLANs, as `bridge vlan del dev IF vid N[-M]`; its FDB entries in them go too.");
        var delWords = BridgeWords.AddTo(del, new WordGrammar(null, [s_dev, s_vid], []), "vlan del");
        ClientCommands.Calling(del, (parse, client) =>
        {
            BridgeWords given = BridgeWords.Of(parse, delWords);
            string path = $"vlans?dev={ApiClient.Escape(given.Value("dev")!)}&vid={ApiClient.Escape(given.Value("vid")!)}";
            return ClientCommands.PrintResult(client.Send(HttpMethod.Delete, path, null, ApiJson.Default.OkResponse));
        });

        var show = ClientCommands.Calling(new Command("show", "List each port's VLANs, PVID and untagged ones, as `bridge vlan show` (with -j, as `bridge -j vlan show`)."),
            (parse, client) =>
            {
                VlanPortInfo[] ports = client.Get("vlans", ApiJson.Default.VlanPortInfoArray);
                if (ClientOptions.Json(parse))
                {
                    return ClientOptions.PrintJson(parse, ports, ApiJson.Default.VlanPortInfoArray);
                }
                Console.Out.Write(Table(ports));
                return 0;
            });

        return new Command("vlan", "Show and edit VLAN membership of a VLAN-aware switch, as `bridge vlan` does.") { add, del, show };
    }

    /// <summary>bridge vlan show's text: a header, then per port its name beside its first VLAN, one VLAN a line, a blank line after each port.</summary>
    internal static string Table(IEnumerable<VlanPortInfo> ports)
    {
        var text = new System.Text.StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{"port",-PortColumn}  vlan-id  \n");
        foreach (VlanPortInfo port in ports.Where(p => p.Vlans.Length > 0))
        {
            for (int i = 0; i < port.Vlans.Length; i++)
            {
                VlanInfo vlan = port.Vlans[i];
                text.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? port.Ifname : ""),-PortColumn}  {vlan.Vlan}");
                foreach (string flag in vlan.Flags)
                {
                    text.Append(' ').Append(flag);
                }
                text.Append('\n');
            }
            text.Append('\n');
        }
        return text.ToString();
    }
}
