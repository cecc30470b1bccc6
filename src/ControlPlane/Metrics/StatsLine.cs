// The one-line summary `fastbridge run` logs every --stats-interval seconds (as "stats: ..."): per port packets
// in and out, floods and drops since the last line, FDB size and events, and how busy the poll
// loops were.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using FastBridge.ControlPlane.Switch;
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Hosting;

namespace FastBridge.ControlPlane.Metrics;

internal sealed class StatsLine
{
    private readonly SwitchCommands _switch;
    private readonly StringBuilder _line = new();
    private DatapathStats _last;
    private long _lastAt = Stopwatch.GetTimestamp();

    public StatsLine(SwitchCommands commands)
    {
        _switch = commands;
        _last = commands.ReadStats();
    }

    public string Next()
    {
        DatapathStats now = _switch.ReadStats();
        StringBuilder line = _line.Clear();
        for (int i = 0; i < now.Ports.Count; i++)
        {
            if (!now.Ports[i].Present)
            {
                continue;
            }
            PortCounters c = now.Ports[i].Counters;
            // A port added since the last line counts from zero.
            PortCounters p = i < _last.Ports.Count ? _last.Ports[i].Counters : default;
            line.Append(CultureInfo.InvariantCulture,
                $" {now.Ports[i].Name}{(now.Ports[i].Up ? "" : "(down)")} rx {c.RxPackets - p.RxPackets} tx {c.TxPackets - p.TxPackets}");
            ulong drops = Drops(c) - Drops(p);
            if (drops > 0)
            {
                line.Append(CultureInfo.InvariantCulture, $" drop {drops}");
            }
            line.Append(';');
        }
        // Busy: time the loops spent moving frames, as a share of wall time across all loops.
        double busy = 0;
        for (int i = 0; i < now.Loops.Count; i++)
        {
            busy += now.Loops[i].BusySeconds - _last.Loops[i].BusySeconds;
        }
        long at = Stopwatch.GetTimestamp();
        double wall = Stopwatch.GetElapsedTime(_lastAt, at).TotalSeconds * now.Loops.Count;
        _lastAt = at;
        line.Append(CultureInfo.InvariantCulture,
            $" fdb {now.FdbEntries} (learned {now.Fdb.Learned - _last.Fdb.Learned}, moved {now.Fdb.Moved - _last.Fdb.Moved}, aged {now.Aged - _last.Aged});");
        line.Append(CultureInfo.InvariantCulture, $" busy {(wall > 0 ? 100 * busy / wall : 0):F1}%");
        _last = now;
        return line.ToString(1, line.Length - 1); // every part starts with a space; the log adds "stats: "
    }

    internal static ulong Drops(in PortCounters counters)
    {
        ulong sum = 0;
        for (int i = 0; i < DropReasons.Count; i++)
        {
            sum += counters.Drops[i];
        }
        return sum;
    }
}
