// The VLAN flags of `fastbridge run`, each setting the config key it is named after (RunCommand's rule):
// --vlan-filtering (vlanFiltering), --vlan-protocol (vlanProtocol), --default-pvid (defaultPvid).
using System.CommandLine;
using FastBridge.Datapath.Forwarding;

namespace FastBridge.ControlPlane.Cli;

internal static class VlanRunOptions
{
    public static Option[] Create()
    {
        var filtering = new Option<bool>("--vlan-filtering")
        {
            Description = "Be VLAN-aware, as the Linux bridge with vlan_filtering 1: per-port VLANs (fastbridge vlan), an FDB per VLAN.",
        };
        var protocol = new Option<string>("--vlan-protocol")
        {
            Description = "The tag VLANs are read from and pushed with: 802.1q (0x8100) or 802.1ad (0x88a8).",
            DefaultValueFactory = _ => "802.1q",
        };
        protocol.AcceptOnlyFromAmong("802.1q", "802.1ad");
        var defaultPvid = new Option<int>("--default-pvid")
        {
            Description = "The VLAN a port joins when added, as PVID and untagged (the bridge's default_pvid); 0: none.",
            DefaultValueFactory = _ => VlanMembership.DefaultPvid,
            CustomParser = ValueParsers.Whole<int>("--default-pvid"),
        };
        defaultPvid.Validators.Add(r =>
        {
            // A value that is no number at all is refused by the parser, in words (ValueParsers).
            if (r.Tokens.Count > 0 && int.TryParse(r.Tokens[0].Value, out int value) && value is < 0 or > VlanMembership.MaxVlan)
            {
                r.AddError($"--default-pvid must be between 0 and {VlanMembership.MaxVlan}, not {EchoedText.Cut(r.Tokens[0].Value)}");
            }
        });
        return [filtering, protocol, defaultPvid];
    }
}
