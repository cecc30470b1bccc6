// MAC addresses as the low 48 bits of a ulong, first octet most significant, so that
// the FDB key (MAC + VLAN) is one 64-bit integer and comparisons are one instruction.
using System.Buffers.Binary;
using System.Globalization;

namespace FastBridge.Datapath.Frames;

public static class MacAddress
{
    public const ulong Broadcast = 0xFFFF_FFFF_FFFFUL;

    /// <summary>The group bit (I/G) is the least significant bit of the first octet.</summary>
    private const ulong GroupBit = 1UL << 40;

    /// <summary>01:80:C2:00:00:00-0F, the IEEE 802.1D reserved link-local group addresses.</summary>
    private const ulong LinkLocalBase = 0x0180_C200_0000UL;

    public static bool IsGroup(ulong mac) => (mac & GroupBit) != 0;

    public static bool IsZero(ulong mac) => mac == 0;

    /// <summary>True for 01:80:C2:00:00:00 to 01:80:C2:00:00:0F; <paramref name="lowNibble"/> is the last octet.</summary>
    public static bool IsLinkLocal(ulong mac, out int lowNibble)
    {
        lowNibble = (int)(mac & 0xF);
        return (mac & ~0xFUL) == LinkLocalBase;
    }

    /// <summary>Reads six octets; needs eight readable bytes at <paramref name="bytes"/> (true inside any Ethernet header).</summary>
    public static ulong ReadAt8(ReadOnlySpan<byte> bytes) => BinaryPrimitives.ReadUInt64BigEndian(bytes) >> 16;

    public static ulong Read(ReadOnlySpan<byte> sixBytes)
    {
        ulong value = 0;
        for (int i = 0; i < 6; i++)
        {
            value = (value << 8) | sixBytes[i];
        }
        return value;
    }

    public static void Write(ulong mac, Span<byte> sixBytes)
    {
        for (int i = 5; i >= 0; i--)
        {
            sixBytes[i] = (byte)mac;
            mac >>= 8;
        }
    }

    public static string Format(ulong mac) => string.Create(17, mac, static (chars, value) =>
    {
        for (int i = 0; i < 6; i++)
        {
            byte octet = (byte)(value >> (40 - 8 * i));
            chars[i * 3] = HexDigit(octet >> 4);
            chars[i * 3 + 1] = HexDigit(octet & 0xF);
            if (i < 5)
            {
                chars[i * 3 + 2] = ':';
            }
        }
    });

    /// <summary>Parses aa:bb:cc:dd:ee:ff or aa-bb-cc-dd-ee-ff, any case.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out ulong mac)
    {
        mac = 0;
        if (text.Length != 17)
        {
            return false;
        }
        char separator = text[2];
        if (separator is not (':' or '-'))
        {
            return false;
        }
        for (int i = 0; i < 6; i++)
        {
            if (i < 5 && text[i * 3 + 2] != separator)
            {
                return false;
            }
            if (!byte.TryParse(text.Slice(i * 3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte octet))
            {
                return false;
            }
            mac = (mac << 8) | octet;
        }
        return true;
    }

    private static char HexDigit(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
}
