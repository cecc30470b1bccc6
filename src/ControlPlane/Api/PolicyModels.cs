// What the port policy routes (ApiRoutes.Policy.cs) receive: flags by their `bridge link set` names,
// each true (on) or false (off), and the MAC limit. Registered in ApiModels.cs's context (the
// generator reads one declaration).
using System.Text.Json.Serialization;

namespace FastBridge.ControlPlane.Api;

/// <summary>PUT /ports/{name}/policy: {"flags": {"learning": false}, "maxLearned": 100, "limitAction": "shutdown"}; what is left out stays.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record PortPolicyRequest(Dictionary<string, bool>? Flags, int? MaxLearned = null, string? LimitAction = null);
