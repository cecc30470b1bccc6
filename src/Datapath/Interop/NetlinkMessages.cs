// A typed walk over the netlink messages of one datagram (struct nlmsghdr, each padded to 4 bytes):
// `while (walk.MoveNext())` gives the header and the body (what follows the header) of each in turn.
// A message whose length is shorter than a header or runs past the datagram ends the walk; what came
// before it stands. Any thread.
using System.Runtime.InteropServices;
using static FastBridge.Datapath.Interop.Rtnetlink;

namespace FastBridge.Datapath.Interop;

internal ref struct NetlinkMessages
{
    private readonly ReadOnlySpan<byte> _datagram;
    private int _next;

    public NetlinkMessages(ReadOnlySpan<byte> datagram)
    {
        _datagram = datagram;
    }

    public NlMsgHdr Header { get; private set; }

    public ReadOnlySpan<byte> Body { get; private set; }

    public bool MoveNext()
    {
        int headerLength = Marshal.SizeOf<NlMsgHdr>();
        if (_datagram.Length - _next < headerLength)
        {
            return false;
        }
        NlMsgHdr header = MemoryMarshal.Read<NlMsgHdr>(_datagram[_next..]);
        if (header.NlmsgLen < headerLength || header.NlmsgLen > _datagram.Length - _next)
        {
            _next = _datagram.Length;
            return false;
        }
        Header = header;
        Body = _datagram.Slice(_next + headerLength, (int)header.NlmsgLen - headerLength);
        _next += Align((int)header.NlmsgLen);
        return true;
    }
}
