// The per-port families of /metrics, folded from DatapathStats.Ports at scrape time (MetricsCollector
// serialises the folds). Removed ports keep their counter totals, as the datapath does; only
// fastbridge_port_up lists present ports alone, so a removed port's series is taken out of it.
using FastBridge.Datapath.Common;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Hosting;
using Prometheus;

namespace FastBridge.ControlPlane.Metrics;

internal sealed class PortFamilies(IMetricFactory metrics)
{
    private const string RemovedKeep = " Removed ports keep their totals.";

    private readonly Counter _rxPackets = metrics.CreateCounter("fastbridge_port_rx_packets_total", "Frames received on the port." + RemovedKeep, ["port"]);
    private readonly Counter _rxBytes = metrics.CreateCounter("fastbridge_port_rx_bytes_total", "Bytes received on the port." + RemovedKeep, ["port"]);
    private readonly Counter _txPackets = metrics.CreateCounter("fastbridge_port_tx_packets_total", "Frames transmitted on the port." + RemovedKeep, ["port"]);
    private readonly Counter _txBytes = metrics.CreateCounter("fastbridge_port_tx_bytes_total", "Bytes transmitted on the port." + RemovedKeep, ["port"]);
    private readonly Counter _floods = metrics.CreateCounter("fastbridge_port_floods_total", "Frames received on the port that were flooded." + RemovedKeep, ["port"]);
    private readonly Counter _fdbLimitHits = metrics.CreateCounter("fastbridge_port_fdb_limit_hits_total",
        "New sources on the port not learned: it held its max_learned." + RemovedKeep, ["port"]);
    private readonly Counter _macFlaps = metrics.CreateCounter("fastbridge_port_mac_flaps_total",
        "Stations that moved onto the port more than its mac_flap_limit times in a second: a loop, or a host flapping between links." + RemovedKeep, ["port"]);
    private readonly Counter _mirrorFrames = metrics.CreateCounter("fastbridge_port_mirror_frames_total",
        "Mirror copies for the port as a mirror's destination: sent, or dropped because its TX ring had no room." + RemovedKeep, ["port", "result"]);
    private readonly Counter _drops = metrics.CreateCounter("fastbridge_port_drops_total",
        "Frames dropped, by port and reason (ingress reasons on the ingress port, too_big, no_tx_room and tx_refused on the egress port)." + RemovedKeep, ["port", "reason"]);
    private readonly Gauge _up = metrics.CreateGauge("fastbridge_port_up",
        "1 while the port forwards, 0 when its interface failed; ports removed from the bridge are not listed.", ["port", "backend"]);

    /// <summary>Each port id's series, made when the id is first seen (not per scrape: a scrape allocates little).</summary>
    private readonly List<PortSeries?> _series = [];

    /// <summary>The (port, backend) labels of each port id's fastbridge_port_up series, null while it has none.</summary>
    private readonly List<(string Port, string Backend)?> _upLabels = [];

    public void Fold(IReadOnlyList<PortStats> ports, Func<string, string> backendOf)
    {
        foreach (PortStats port in ports)
        {
            PortSeries series = SeriesOf(port);
            PortCounters c = port.Counters;
            series.RxPackets.IncTo(c.RxPackets);
            series.RxBytes.IncTo(c.RxBytes);
            series.TxPackets.IncTo(c.TxPackets);
            series.TxBytes.IncTo(c.TxBytes);
            series.Floods.IncTo(c.Floods);
            series.FdbLimitHits.IncTo(c.FdbLimitHits);
            series.MirrorSent.IncTo(c.MirrorSent);
            series.MirrorDropped.IncTo(c.MirrorDropped);
            series.MacFlaps.IncTo(port.MacFlaps);
            for (int r = 0; r < DropReasons.Count; r++)
            {
                series.Drops[r].IncTo(c.Drops[r]);
            }
            FoldUp(port, backendOf);
        }
    }

    private PortSeries SeriesOf(PortStats port)
    {
        while (_series.Count <= port.Id)
        {
            _series.Add(null);
            _upLabels.Add(null);
        }
        if (_series[port.Id] is not { } series || series.Name != port.Name)
        {
            string name = port.Name;
            series = new PortSeries(name, _rxPackets.WithLabels(name), _rxBytes.WithLabels(name), _txPackets.WithLabels(name),
                _txBytes.WithLabels(name), _floods.WithLabels(name), _fdbLimitHits.WithLabels(name), _macFlaps.WithLabels(name),
                _mirrorFrames.WithLabels(name, "sent"), _mirrorFrames.WithLabels(name, "dropped"), [.. Enumerable.Range(0, DropReasons.Count).Select(r => _drops.WithLabels(name, DropReasons.Label((DropReason)r)))]);
            _series[port.Id] = series;
        }
        return series;
    }

    private void FoldUp(PortStats port, Func<string, string> backendOf)
    {
        (string Port, string Backend)? labels = port.Present ? (port.Name, backendOf(port.Name)) : null;
        if (_upLabels[port.Id] is { } old && old != labels)
        {
            _up.RemoveLabelled(old.Port, old.Backend);
        }
        _upLabels[port.Id] = labels;
        if (labels is { } now)
        {
            _up.WithLabels(now.Port, now.Backend).Set(port.Up ? 1 : 0);
        }
    }

    private sealed record PortSeries(string Name, Counter.Child RxPackets, Counter.Child RxBytes, Counter.Child TxPackets, Counter.Child TxBytes,
        Counter.Child Floods, Counter.Child FdbLimitHits, Counter.Child MacFlaps,
        Counter.Child MirrorSent, Counter.Child MirrorDropped, Counter.Child[] Drops);
}
