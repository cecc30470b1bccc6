// Follows every interface of the process's network namespace through rtnetlink (RTMGRP_LINK), the
// way `ip monitor link` does, without polling: one thread blocks in poll(2) on a NETLINK_ROUTE socket
// and reports each interface that appears, changes (admin state, carrier, MTU, name) or vanishes to one
// callback, in the kernel's order. At start, and whenever the socket overran (ENOBUFS: events were
// lost), it asks for a dump of every interface, so the callback converges on the truth. A message it
// does not understand is skipped; once started nothing here is fatal, and a failed read invents no
// event. The callback runs on the monitor's thread (never a poll loop's); an exception it throws is
// reported and the monitor goes on.
using System.Runtime.InteropServices;
using FastBridge.Datapath.Interop;
using static FastBridge.Datapath.Interop.Rtnetlink;
using Tmds.Linux;

namespace FastBridge.Datapath.Ports;

/// <summary>What rtnetlink said of one interface. Running: operationally up (carrier), as the Linux bridge reads it.</summary>
public sealed record LinkState(int IfIndex, string Name, bool Exists, bool AdminUp, bool Running, int Mtu);

public sealed unsafe class LinkMonitor : IDisposable
{
    /// <summary>A dump arrives in datagrams of up to ~32 KiB (NLMSG_GOODSIZE); twice that never truncates one.</summary>
    private const int BufferSize = 64 * 1024;

    /// <summary>Socket receive buffer: room for thousands of link events while the callback is busy re-attaching a port.</summary>
    private const int ReceiveBuffer = 4 << 20;

    /// <summary>Longest wait in poll(2), so Dispose is seen within this time.</summary>
    private const int PollTimeoutMs = 100;

    private readonly int _fd;
    private readonly byte* _buffer;
    private readonly Action<LinkState> _changed;
    private readonly Action<string> _trouble;
    private readonly Thread _thread;
    private readonly List<LinkState> _parsed = [];
    private volatile bool _stopping;
    private volatile bool _dumpWanted = true;
    private uint _sequence;
    private bool _disposed;

    /// <param name="changed">Told every interface state the kernel reports, on the monitor's thread.</param>
    /// <param name="trouble">Told, in one line, what went wrong reading (an overrun, a failed read); the monitor goes on.</param>
    public LinkMonitor(Action<LinkState> changed, Action<string> trouble)
    {
        _changed = changed;
        _trouble = trouble;
        _fd = LibC.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, NetlinkRoute);
        if (_fd < 0)
        {
            throw new InvalidOperationException($"rtnetlink socket failed: {LibcExtras.ErrnoText(Marshal.GetLastPInvokeError())}");
        }
        int size = ReceiveBuffer;
        LibC.setsockopt(_fd, LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, &size, sizeof(int)); // best effort: overruns are recovered anyway
        var address = new SockaddrNl { NlFamily = (ushort)LibC.AF_NETLINK, NlGroups = RtmgrpLink };
        if (LibC.bind(_fd, (sockaddr*)&address, sizeof(SockaddrNl)) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            LibC.close(_fd);
            throw new InvalidOperationException($"rtnetlink bind to RTMGRP_LINK failed: {LibcExtras.ErrnoText(errno)}");
        }
        _buffer = (byte*)NativeMemory.Alloc(BufferSize);
        _thread = new Thread(Run) { Name = "fastbridge-links", IsBackground = true };
    }

    public void Start() => _thread.Start();

    /// <summary>Asks for every interface's state again (within one poll timeout), e.g. after a port was added.</summary>
    public void Resync() => _dumpWanted = true;

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _stopping = true;
        if (_thread.IsAlive && _thread != Thread.CurrentThread)
        {
            _thread.Join();
        }
        LibC.close(_fd);
        NativeMemory.Free(_buffer);
    }

    private void Run()
    {
        while (!_stopping)
        {
            if (_dumpWanted)
            {
                _dumpWanted = !RequestDump();
            }
            var pollFd = new pollfd { fd = _fd, events = LibC.POLLIN };
            if (LibC.poll(&pollFd, 1, PollTimeoutMs) <= 0)
            {
                continue;
            }
            long length = LibC.recvfrom(_fd, _buffer, BufferSize, LibC.MSG_DONTWAIT, null, null);
            if (length < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == LibC.ENOBUFS)
                {
                    _trouble("rtnetlink: link events were lost (receive buffer overran); reading every interface again");
                    _dumpWanted = true;
                }
                else if (errno != LibC.EINTR && errno != LibC.EAGAIN)
                {
                    _trouble($"rtnetlink: read failed: {LibcExtras.ErrnoText(errno)}; trying again");
                    Thread.Sleep(PollTimeoutMs);
                }
                continue;
            }
            _parsed.Clear();
            Parse(new ReadOnlySpan<byte>(_buffer, (int)length), _parsed);
            foreach (LinkState state in _parsed)
            {
                Tell(state);
            }
        }
    }

    private void Tell(LinkState state)
    {
        try
        {
            _changed(state);
        }
        catch (Exception e)
        {
            _trouble($"handling a link change of {state.Name} failed: {e.Message}");
        }
    }

    /// <summary>Asks for every interface; false if the request could not be sent (it is retried).</summary>
    private bool RequestDump()
    {
        var request = new LinkDumpRequest
        {
            Header = new NlMsgHdr
            {
                NlmsgLen = (uint)sizeof(LinkDumpRequest),
                NlmsgType = RtmGetlink,
                NlmsgFlags = NlmFRequest | NlmFDump,
                NlmsgSeq = ++_sequence,
            },
        };
        var kernel = new SockaddrNl { NlFamily = (ushort)LibC.AF_NETLINK };
        if (LibC.sendto(_fd, &request, sizeof(LinkDumpRequest), 0, (sockaddr*)&kernel, sizeof(SockaddrNl)) >= 0)
        {
            return true;
        }
        _trouble($"rtnetlink: asking for every interface failed: {LibcExtras.ErrnoText(Marshal.GetLastPInvokeError())}; trying again");
        return false;
    }

    /// <summary>
    /// Appends the interface states in one netlink datagram (RTM_NEWLINK and RTM_DELLINK messages; others are
    /// skipped). A malformed message ends the datagram's parsing; what came before it stands.
    /// </summary>
    internal static void Parse(ReadOnlySpan<byte> datagram, List<LinkState> into)
    {
        var walk = new NetlinkMessages(datagram);
        while (walk.MoveNext())
        {
            if (walk.Header.NlmsgType is RtmNewlink or RtmDellink && walk.Body.Length >= sizeof(IfInfoMsg))
            {
                IfInfoMsg info = MemoryMarshal.Read<IfInfoMsg>(walk.Body);
                LinkAttributes attributes = LinkAttributes.Parse(walk.Body[sizeof(IfInfoMsg)..]);
                if (attributes.Name is not null)
                {
                    into.Add(new LinkState(info.IfiIndex, attributes.Name, walk.Header.NlmsgType == RtmNewlink,
                        (info.IfiFlags & Netdevice.IffUp) != 0, (info.IfiFlags & Netdevice.IffRunning) != 0, attributes.Mtu));
                }
            }
        }
    }
}
