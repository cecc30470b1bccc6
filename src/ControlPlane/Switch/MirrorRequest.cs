// A port mirror as `mirror add` words, the API body (POST /mirrors) and `mirror show` carry it: source
// ports, direction rx, tx or both (both when left out), destination port; show adds the copies sent to
// the destination and those dropped for want of room. Serialised with the API's source-generated context.
using System.Text.Json.Serialization;

namespace FastBridge.ControlPlane.Switch;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record MirrorRequest(string Name, string[] Src, string Dst, string? Direction = null);

internal sealed record MirrorInfo(string Name, string[] Src, string Direction, string Dst, ulong Sent, ulong Dropped);
