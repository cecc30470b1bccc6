// Random Ethernet frames for the fuzz tests, in-memory and live alike: random lengths with the edges
// (runts, 60, MTU + 14/18 and one past) drawn more often, MACs from the classes the forwarding rules
// tell apart (random, zero, broadcast, multicast, IEEE link-local, a few known stations, the frame's
// own source), stacked 802.1Q/802.1ad tags, random EtherTypes and payload. One seeded Random drives
// everything, so a seed reproduces a run. Next writes into the caller's buffer and allocates nothing.
using System.Buffers.Binary;
using FastBridge.Datapath.Frames;

namespace FastBridge.Testing.Frames;

internal sealed class RandomFrames
{
    /// <summary>Random bytes the payloads are cut from, at a random offset each time (cheaper than fresh bytes per frame).</summary>
    private const int PoolLength = 1 << 16;

    private readonly Random _random;
    private readonly byte[] _pool = new byte[PoolLength];
    private readonly ulong[] _stations;
    private readonly int _homes;
    private readonly int[] _edgeLengths;
    private ulong _lastSource = 0x02FB_0000_0001UL;

    /// <param name="stations">
    /// Unicast MACs drawn as known stations, source and destination alike. Station i lives behind home
    /// i % homes: it sends mostly from there and now and then from elsewhere (a station move).
    /// </param>
    /// <param name="homes">How many homes (ports, hosts) the stations are spread over.</param>
    /// <param name="minLength">Shortest frame (0 in memory; 14 on a wire, where the kernel refuses less than a header).</param>
    /// <param name="maxLength">Longest frame: MTU + 64 for the tests.</param>
    /// <param name="mtu">The ports' MTU, whose limits (MTU + 14, + 18) are drawn often.</param>
    /// <param name="stripTags">Whether Next may hand out a tag as if the kernel had stripped it into metadata.</param>
    public RandomFrames(int seed, ulong[] stations, int homes, int minLength, int maxLength, int mtu, bool stripTags)
    {
        if (stations.Length < homes)
        {
            throw new ArgumentException($"{stations.Length} stations cannot fill {homes} homes");
        }
        _homes = homes;
        _random = new Random(seed);
        _random.NextBytes(_pool);
        _stations = stations;
        MinLength = minLength;
        MaxLength = maxLength;
        StripTags = stripTags;
        int[] edges = [0, 13, 14, 15, 17, 18, 59, 60, 61, 64, mtu + 13, mtu + 14, mtu + 15, mtu + 17, mtu + 18, mtu + 19, mtu + 22, mtu + 23];
        _edgeLengths = [.. edges.Where(l => l >= minLength && l <= maxLength)];
    }

    public int MinLength { get; }

    public int MaxLength { get; }

    public bool StripTags { get; }

    /// <summary>
    /// Writes one frame sent from <paramref name="home"/> into <paramref name="frame"/> (at least MaxLength
    /// bytes) and returns its length; a non-zero <paramref name="strippedTpid"/> is a tag the frame's
    /// receiver found in metadata, not in the bytes.
    /// </summary>
    public int Next(Span<byte> frame, int home, out ushort strippedTpid, out ushort strippedTci)
    {
        int length = NextLength();
        int header = Math.Min(length, 64);
        int payload = length - header;
        _pool.AsSpan(_random.Next(PoolLength - payload + 1), payload).CopyTo(frame.Slice(header));
        _random.NextBytes(frame.Slice(0, header));

        Span<byte> scratch = stackalloc byte[64];
        ulong source = NextSource(home);
        MacAddress.Write(NextDestination(source), scratch);
        MacAddress.Write(source, scratch.Slice(6));
        int offset = 12;
        int tags = _random.Next(8) switch { 0 or 1 => 1, 2 => 2, 3 => 3, _ => 0 };
        for (int t = 0; t < tags; t++, offset += 4)
        {
            ushort tpid = _random.Next(8) switch { < 4 => VlanTag.CustomerTpid, < 7 => VlanTag.ServiceTpid, _ => 0x9100 };
            BinaryPrimitives.WriteUInt16BigEndian(scratch.Slice(offset), tpid);
            BinaryPrimitives.WriteUInt16BigEndian(scratch.Slice(offset + 2), (ushort)_random.Next(0x10000));
        }
        BinaryPrimitives.WriteUInt16BigEndian(scratch.Slice(offset), (ushort)_random.Next(0x10000));
        // Header fields past the frame's end are cut off: short frames keep a partial MAC or tag, as runts do.
        scratch.Slice(0, Math.Min(header, offset + 2)).CopyTo(frame);

        strippedTpid = 0;
        strippedTci = 0;
        if (StripTags && _random.Next(8) == 0)
        {
            strippedTpid = _random.Next(2) == 0 ? VlanTag.CustomerTpid : VlanTag.ServiceTpid;
            strippedTci = (ushort)_random.Next(0x10000);
        }
        return length;
    }

    private int NextLength() => _random.Next(10) switch
    {
        < 3 => _random.Next(MinLength, Math.Min(MaxLength, 64) + 1),
        3 => _edgeLengths[_random.Next(_edgeLengths.Length)],
        _ => _random.Next(MinLength, MaxLength + 1),
    };

    private ulong NextSource(int home)
    {
        ulong source = _random.Next(20) switch
        {
            < 8 => RandomMac(),                    // half of these have the group bit set: invalid sources
            8 => 0,                                // all-zero: invalid
            9 => MacAddress.Broadcast,             // invalid
            10 => _stations[_random.Next(_stations.Length)],  // a station moves here (or is at home)
            _ => _stations[home % _homes + _homes * _random.Next(_stations.Length / _homes)],
        };
        if (!MacAddress.IsGroup(source) && source != 0)
        {
            _lastSource = source;
        }
        return source;
    }

    private ulong NextDestination(ulong source) => _random.Next(20) switch
    {
        < 5 => RandomMac(),
        5 or 6 => MacAddress.Broadcast,
        7 => 0x0100_5E00_0000UL | (uint)_random.Next(0x80_0000),           // IPv4 multicast
        8 => 0x3333_0000_0000UL | (uint)_random.Next(),                    // IPv6 multicast
        9 or 10 => 0x0180_C200_0000UL | (uint)_random.Next(0x20),         // IEEE link-local 00-0F and the 10-1F beyond them
        11 => 0,
        12 or 13 or 14 => _random.Next(2) == 0 ? source : _lastSource,     // own source: behind the ingress port
        _ => _stations[_random.Next(_stations.Length)],
    };

    private ulong RandomMac() => (ulong)_random.NextInt64(1L << 48);
}
