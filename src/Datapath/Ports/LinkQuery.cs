// One-off rtnetlink questions, asked and answered on a NETLINK_ROUTE socket of the caller's namespace
// that lives for one check: one interface by ifindex (RTM_GETLINK, in our namespace or, with
// IFLA_TARGET_NETNSID, in the namespace our namespace knows by that id), and the id our namespace has
// for a namespace fd (RTM_GETNSID). rtnetlink answers a request in the sender's own sendmsg, so the
// answer is queued when the request is sent; the wait is only a bound. No process is spawned; set-up
// and tick threads, never a poll loop. The answer buffer is rented, not allocated: a query is made per
// port every second, and 32 KiB each was most of what an idle daemon allocated.
using System.Buffers;
using System.Runtime.InteropServices;
using FastBridge.Datapath.Interop;
using static FastBridge.Datapath.Interop.Rtnetlink;
using Tmds.Linux;

namespace FastBridge.Datapath.Ports;

internal sealed unsafe class LinkQuery : IDisposable
{
    /// <summary>One link's RTM_NEWLINK (its stats and per-family attributes included) is a few KiB; this never truncates one.</summary>
    private const int BufferSize = 32 * 1024;

    /// <summary>Bound on the wait for an answer the kernel has already queued (see the header).</summary>
    private const int AnswerTimeoutMs = 1000;

    private readonly int _fd;
    private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    private uint _sequence;

    public LinkQuery()
    {
        _fd = LibC.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, NetlinkRoute);
        if (_fd < 0)
        {
            throw new InvalidOperationException($"rtnetlink socket failed: {LibcExtras.ErrnoText(Marshal.GetLastPInvokeError())}");
        }
    }

    public void Dispose()
    {
        LibC.close(_fd);
        ArrayPool<byte>.Shared.Return(_buffer);
    }

    /// <summary>
    /// The interface <paramref name="ifIndex"/>, in the namespace our namespace knows by <paramref name="netnsid"/>
    /// (ours when null); null with <paramref name="errno"/> set when the kernel refused (ENODEV: no such interface).
    /// </summary>
    public LinkAttributes? GetLink(int ifIndex, int? netnsid, out int errno)
    {
        var request = new LinkRequest
        {
            Header = Header(RtmGetlink, netnsid is null ? sizeof(NlMsgHdr) + sizeof(IfInfoMsg) : sizeof(LinkRequest)),
            Body = new IfInfoMsg { IfiIndex = ifIndex },
            TargetNetnsid = Attribute(IflaTargetNetnsid, netnsid ?? 0),
        };
        ReadOnlySpan<byte> answer = Ask(&request, (int)request.Header.NlmsgLen, RtmNewlink, out errno);
        return errno == 0 && answer.Length >= sizeof(IfInfoMsg) ? LinkAttributes.Parse(answer[sizeof(IfInfoMsg)..]) : null;
    }

    /// <summary>
    /// The id our namespace has for the namespace <paramref name="namespaceFd"/> is, NETNSA_NSID_NOT_ASSIGNED when it
    /// has none (our own namespace among them); null with <paramref name="errno"/> set when the kernel refused.
    /// </summary>
    public int? GetNsid(int namespaceFd, out int errno)
    {
        var request = new NsidRequest
        {
            Header = Header(RtmGetnsid, sizeof(NsidRequest)),
            Fd = Attribute(NetnsaFd, namespaceFd),
        };
        ReadOnlySpan<byte> answer = Ask(&request, sizeof(NsidRequest), RtmNewnsid, out errno);
        if (errno != 0 || answer.Length < sizeof(RtGenMsg))
        {
            return null;
        }
        var walk = new RtAttributes(answer[sizeof(RtGenMsg)..]);
        while (walk.MoveNext())
        {
            if (walk.Type == NetnsaNsid)
            {
                return walk.ValueAsInt32(NetnsaNsidNotAssigned);
            }
        }
        return NetnsaNsidNotAssigned;
    }

    private NlMsgHdr Header(ushort type, int length) =>
        new() { NlmsgLen = (uint)length, NlmsgType = type, NlmsgFlags = NlmFRequest, NlmsgSeq = ++_sequence };

    private static Int32Attribute Attribute(ushort type, int value) =>
        new() { Header = new RtAttr { RtaLen = (ushort)sizeof(Int32Attribute), RtaType = type }, Value = value };

    /// <summary>Sends the request; the body of the answer of <paramref name="answerType"/> to it (after its header), or errno.</summary>
    private ReadOnlySpan<byte> Ask(void* request, int length, ushort answerType, out int errno)
    {
        var kernel = new SockaddrNl { NlFamily = (ushort)LibC.AF_NETLINK };
        if (LibC.sendto(_fd, request, length, 0, (sockaddr*)&kernel, sizeof(SockaddrNl)) < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return default;
        }
        while (true)
        {
            var pollFd = new pollfd { fd = _fd, events = LibC.POLLIN };
            if (LibC.poll(&pollFd, 1, AnswerTimeoutMs) <= 0)
            {
                errno = LibC.ETIMEDOUT;
                return default;
            }
            long received;
            fixed (byte* buffer = _buffer)
            {
                received = LibC.recvfrom(_fd, buffer, BufferSize, LibC.MSG_DONTWAIT, null, null);
            }
            if (received < 0)
            {
                errno = Marshal.GetLastPInvokeError();
                if (errno == LibC.EINTR || errno == LibC.EAGAIN)
                {
                    continue;
                }
                return default;
            }
            ReadOnlySpan<byte> body = FindAnswer(_buffer.AsSpan(0, (int)received), answerType, out errno, out bool found);
            if (found)
            {
                return body;
            }
        }
    }

    /// <summary>
    /// The body of the answer to the latest request in a datagram, or errno from its NLMSG_ERROR; <paramref name="found"/>
    /// false when neither is there.
    /// </summary>
    private ReadOnlySpan<byte> FindAnswer(ReadOnlySpan<byte> datagram, ushort answerType, out int errno, out bool found)
    {
        errno = 0;
        found = false;
        var walk = new NetlinkMessages(datagram);
        while (walk.MoveNext())
        {
            if (walk.Header.NlmsgSeq != _sequence)
            {
                continue;
            }
            if (walk.Header.NlmsgType == NlmsgError && walk.Body.Length >= sizeof(int))
            {
                errno = -MemoryMarshal.Read<int>(walk.Body);
                found = errno != 0; // 0 is an acknowledgement, not an answer
            }
            else if (walk.Header.NlmsgType == answerType)
            {
                found = true;
                return walk.Body;
            }
            if (found)
            {
                return default;
            }
        }
        return default;
    }
}
