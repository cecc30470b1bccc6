// A typed walk over netlink attributes (struct rtattr, each padded to 4 bytes): `while (walk.MoveNext())`
// gives the type and value of each in turn, the flags masked off the type so nested attributes read the same whether the kernel set
// NLA_F_NESTED or not. A malformed attribute ends the walk; what came before it stands. Any thread.
using System.Runtime.InteropServices;
using static FastBridge.Datapath.Interop.Rtnetlink;

namespace FastBridge.Datapath.Interop;

internal ref struct RtAttributes
{
    private readonly ReadOnlySpan<byte> _attributes;
    private int _next;

    public RtAttributes(ReadOnlySpan<byte> attributes)
    {
        _attributes = attributes;
    }

    public ushort Type { get; private set; }

    public ReadOnlySpan<byte> Value { get; private set; }

    public bool MoveNext()
    {
        int headerLength = Marshal.SizeOf<RtAttr>();
        if (_attributes.Length - _next < headerLength)
        {
            return false;
        }
        RtAttr attribute = MemoryMarshal.Read<RtAttr>(_attributes[_next..]);
        if (attribute.RtaLen < headerLength || attribute.RtaLen > _attributes.Length - _next)
        {
            _next = _attributes.Length;
            return false;
        }
        Type = (ushort)(attribute.RtaType & NlaTypeMask);
        Value = _attributes.Slice(_next + headerLength, attribute.RtaLen - headerLength);
        _next += Align(attribute.RtaLen);
        return true;
    }

    /// <summary>The value as a NUL-terminated string (IFLA_IFNAME, IFLA_INFO_KIND).</summary>
    public readonly string ValueAsString()
    {
        int end = Value.IndexOf((byte)0);
        return System.Text.Encoding.UTF8.GetString(end < 0 ? Value : Value[..end]);
    }

    /// <summary>The value as a 32-bit integer; <paramref name="otherwise"/> when it is shorter.</summary>
    public readonly int ValueAsInt32(int otherwise = 0) => Value.Length >= 4 ? MemoryMarshal.Read<int>(Value) : otherwise;
}
