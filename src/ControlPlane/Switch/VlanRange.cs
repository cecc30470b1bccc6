// A VLAN id or range as the operator writes it ("10", "10-20"), parsed in one place for the CLI, the API and the
// config file; a bad one is refused naming the value. Any thread.
using System.Globalization;
using FastBridge.Datapath.Forwarding;

namespace FastBridge.ControlPlane.Switch;

internal readonly record struct VlanRange(ushort First, ushort Last)
{
    /// <summary>Parses "N" or "N-M" with 1 &lt;= N &lt;= M &lt;= 4094; else null and one line naming the value.</summary>
    public static VlanRange? TryParse(string? text, out string? problem)
    {
        problem = null;
        string[] parts = (text ?? "").Split('-');
        if (parts.Length is < 1 or > 2 || !parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            problem = $"malformed VLAN id '{EchoedText.Cut(text)}' (want N or N-M, 1-4094)";
            return null;
        }
        int first = int.Parse(parts[0], CultureInfo.InvariantCulture);
        int last = parts.Length == 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : first;
        if (first is < VlanMembership.MinVlan or > VlanMembership.MaxVlan || last is < VlanMembership.MinVlan or > VlanMembership.MaxVlan)
        {
            problem = $"invalid VLAN id {(first is < VlanMembership.MinVlan or > VlanMembership.MaxVlan ? first : last)}: must be {VlanMembership.MinVlan}-{VlanMembership.MaxVlan}";
            return null;
        }
        if (last < first)
        {
            problem = $"invalid VLAN range {first}-{last}: the end is below the start";
            return null;
        }
        return new VlanRange((ushort)first, (ushort)last);
    }

    public bool Contains(ushort vlan) => vlan >= First && vlan <= Last;

    public bool Overlaps(VlanRange other) => First <= other.Last && other.First <= Last;

    public override string ToString() => First == Last ? First.ToString(CultureInfo.InvariantCulture) : $"{First}-{Last}";
}
