// Offload switches around a switch port: GRO and LRO off, or a raw socket would read merged
// super-frames longer than the MTU that no egress port could send; TSO off, which nothing the switch sends
// uses, because a veth with TSO on hands what its sockets send to its peer through the CPU's backlog, not
// the peer's NAPI ring that XDP redirects fill (veth_skb_is_eligible_for_gro): a frame a poll loop sent
// could then arrive after one the fast path redirected later (FastPathMaps.Drains.cs). Dispose turns back
// on exactly what this turned off. TurnOff also serves the lab's send offloads (ControlPlane/Lab/SendOffloads). Set-up threads only.
using FastBridge.Datapath.Interop;
using Tmds.Linux;

namespace FastBridge.Datapath.Ports;

public sealed class PortOffloads : IDisposable
{
    private readonly string _ifName;
    private readonly bool _groWasOn;
    private readonly bool _lroWasOn;
    private readonly bool _tsoWasOn;
    private bool _disposed;

    private PortOffloads(string ifName, bool groWasOn, bool lroWasOn, bool tsoWasOn)
    {
        _ifName = ifName;
        _groWasOn = groWasOn;
        _lroWasOn = lroWasOn;
        _tsoWasOn = tsoWasOn;
    }

    /// <summary>Turns GRO, LRO and TSO off on <paramref name="ifName"/>, remembering which were on.</summary>
    public static PortOffloads DisableForSwitching(string ifName)
    {
        int fd = OpenControl(ifName);
        try
        {
            bool groWasOn = TurnOff(fd, ifName, Ethtool.GGro, Ethtool.SGro, "GRO");
            bool tsoWasOn = TurnOff(fd, ifName, Ethtool.GTso, Ethtool.STso, "TSO");
            bool lroWasOn = false;
            int errno = Ethtool.Get(fd, ifName, Ethtool.GFlags, out uint flags);
            if (errno == 0 && (flags & Ethtool.EthFlagLro) != 0)
            {
                Check(Ethtool.Set(fd, ifName, Ethtool.SFlags, flags & ~Ethtool.EthFlagLro), ifName, "turning LRO off");
                lroWasOn = true;
            }
            else if (errno != 0 && errno != LibC.EOPNOTSUPP)
            {
                Check(errno, ifName, "reading the LRO flag");
            }
            return new PortOffloads(ifName, groWasOn, lroWasOn, tsoWasOn);
        }
        finally
        {
            LibC.close(fd);
        }
    }

    /// <summary>Turns back on what DisableForSwitching turned off; an interface that has vanished is left alone.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (!_groWasOn && !_lroWasOn && !_tsoWasOn)
        {
            return;
        }
        int fd = OpenControl(_ifName);
        try
        {
            if (_groWasOn)
            {
                Restore(Ethtool.Set(fd, _ifName, Ethtool.SGro, 1), "turning GRO back on");
            }
            if (_tsoWasOn)
            {
                Restore(Ethtool.Set(fd, _ifName, Ethtool.STso, 1), "turning TSO back on");
            }
            if (_lroWasOn)
            {
                int errno = Ethtool.Get(fd, _ifName, Ethtool.GFlags, out uint flags);
                Restore(errno == 0 ? Ethtool.Set(fd, _ifName, Ethtool.SFlags, flags | Ethtool.EthFlagLro) : errno, "turning LRO back on");
            }
        }
        finally
        {
            LibC.close(fd);
        }
    }

    private void Restore(int errno, string step)
    {
        if (errno != LibC.ENODEV && errno != LibC.ENXIO)
        {
            Check(errno, _ifName, step);
        }
    }

    /// <summary>Reads a feature; turns it off if on. Returns whether it was on. A device without the feature (EOPNOTSUPP) counts as off.</summary>
    internal static bool TurnOff(int fd, string ifName, uint getCommand, uint setCommand, string feature)
    {
        int errno = Ethtool.Get(fd, ifName, getCommand, out uint value);
        if (errno == LibC.EOPNOTSUPP)
        {
            return false;
        }
        Check(errno, ifName, $"reading {feature}");
        if (value == 0)
        {
            return false;
        }
        Check(Ethtool.Set(fd, ifName, setCommand, 0), ifName, $"turning {feature} off");
        return true;
    }

    internal static int OpenControl(string ifName)
    {
        int fd = Netdevice.OpenControlSocket();
        if (fd < 0)
        {
            throw new InvalidOperationException($"interface {ifName}: cannot open a control socket: {LibcExtras.ErrnoText(-fd)}");
        }
        return fd;
    }

    private static void Check(int errno, string ifName, string step)
    {
        if (errno != 0)
        {
            throw new InvalidOperationException($"interface {ifName}: {step} via ethtool failed: {LibcExtras.ErrnoText(errno)}");
        }
    }
}
