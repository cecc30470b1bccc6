// A change to a port's policy, as `port set` words, the API body (PUT /ports/{name}/policy) and
// SwitchCommands.ChangePortPolicy all carry it: flags by their `bridge link set` names, each true (on)
// or false (off), the MAC limit, the storm control rates in frames/s (0 removes one) and loop protection
// (LoopProtectionText); what is left
// out stays. Serialised with the API's source-generated context (Api/ApiModels.cs).
using System.Text.Json.Serialization;

namespace FastBridge.ControlPlane.Switch;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record PortPolicyChange(Dictionary<string, bool>? Flags, int? MaxLearned = null, string? LimitAction = null,
    int? StormBroadcast = null, int? StormMulticast = null, int? StormUnknownUnicast = null,
    string? LoopAction = null, int? MacFlapLimit = null, int? LoopHold = null);
