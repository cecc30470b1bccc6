// What the port policy routes (ApiRoutes.Policy.cs) receive: flags by their `bridge link set` names,
// each true (on) or false (off). Registered in ApiModels.cs's context (the generator reads one declaration).
using System.Text.Json.Serialization;

namespace FastBridge.ControlPlane.Api;

/// <summary>PUT /ports/{name}/flags: {"flags": {"learning": false, "isolated": true}}.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record PortFlagsRequest(Dictionary<string, bool>? Flags);
