// A typed view over the bytes of one Ethernet frame: the length is checked once, in TryParse,
// and every field after that is read without further checks. The VLAN tag is read from FrameRef.OuterTag,
// which also knows a tag the kernel stripped from the bytes.
namespace FastBridge.Datapath.Frames;

public readonly ref struct EthernetFrame
{
    /// <summary>Destination and source: where a tag (or the EtherType) starts.</summary>
    public const int MacAddressesLength = 12;

    /// <summary>Destination, source, EtherType.</summary>
    public const int HeaderLength = MacAddressesLength + 2;

    private readonly ReadOnlySpan<byte> _bytes;

    private EthernetFrame(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    /// <summary>False for a runt: fewer bytes than an Ethernet header.</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, out EthernetFrame frame)
    {
        frame = new EthernetFrame(bytes);
        return bytes.Length >= HeaderLength;
    }

    public int Length => _bytes.Length;

    public ulong Destination => MacAddress.ReadAt8(_bytes);

    public ulong Source => MacAddress.ReadAt8(_bytes.Slice(6));
}
