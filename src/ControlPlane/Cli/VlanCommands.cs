// `fastbridge vlan add|del|show`, worded as iproute2's `bridge vlan`: `vlan add dev IF vid N[-M] [pvid]
// [untagged]`, `vlan del dev IF vid N[-M]`, `vlan show [--json]` printing bridge's table (port, vlan-id,
// PVID, Egress Untagged) or its -j shape. One API call each; refusals as every client command's.
using System.Globalization;
using FastBridge.ControlPlane.Api;
using FastBridge.ControlPlane.Switch;
using System.CommandLine;

namespace FastBridge.ControlPlane.Cli;

internal static class VlanCommands
{
    /// <summary>bridge vlan show's column: IFNAMSIZ, then two spaces.</summary>
    private const int PortColumn = 16;

    public static Command Create()
    {
        var addWords = new Argument<string[]>("dev IF vid N[-M] [pvid] [untagged]") { Arity = new ArgumentArity(4, 6) };
        var add = ClientCommands.Calling(new Command("add", "Make a port a member of VLANs: vlan add dev IF vid 10[-20] [pvid] [untagged].") { addWords }, (parse, client) =>
        {
            string[] words = parse.GetValue(addWords)!;
            string[] flags = words[4..];
            if (words[0] != "dev" || words[2] != "vid" || flags.Any(f => f is not ("pvid" or "untagged")) || flags.Distinct().Count() != flags.Length)
            {
                throw Usage("vlan add dev IF vid N[-M] [pvid] [untagged]", words);
            }
            var request = new VlanRequest(words[1], words[3], flags.Contains("pvid"), flags.Contains("untagged"));
            Console.Out.WriteLine(client.Send(HttpMethod.Post, "vlans", request, ApiJson.Default.VlanRequest, ApiJson.Default.OkResponse).Result);
            return 0;
        });

        var delWords = new Argument<string[]>("dev IF vid N[-M]") { Arity = new ArgumentArity(4, 4) };
        var del = ClientCommands.Calling(new Command("del", "Take a port out of VLANs; its FDB entries in them go too.") { delWords }, (parse, client) =>
        {
            string[] words = parse.GetValue(delWords)!;
            if (words[0] != "dev" || words[2] != "vid")
            {
                throw Usage("vlan del dev IF vid N[-M]", words);
            }
            string path = $"vlans?dev={ApiClient.Escape(words[1])}&vid={ApiClient.Escape(words[3])}";
            Console.Out.WriteLine(client.Send(HttpMethod.Delete, path, null, ApiJson.Default.OkResponse).Result);
            return 0;
        });

        var show = ClientCommands.Calling(new Command("show", "List each port's VLANs, PVID and untagged ones, as bridge vlan show."), (parse, client) =>
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

    private static CliException Usage(string usage, string[] words) =>
        new(ApiClient.Refused, $"usage: fastbridge {usage}, not '{string.Join(' ', words)}'");
}
