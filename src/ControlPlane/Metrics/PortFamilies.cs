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
    private readonly Counter _drops = metrics.CreateCounter("fastbridge_port_drops_total",
        "Frames dropped, by port and reason (ingress reasons on the ingress port, too_big, no_tx_room and tx_refused on the egress port)." + RemovedKeep, ["port", "reason"]);
    private readonly Gauge _up = metrics.CreateGauge("fastbridge_port_up",
        "1 while the port forwards, 0 when its interface failed; ports removed from the bridge are not listed.", ["port", "backend"]);

    /// <summary>The (port, backend) labels of each port id's fastbridge_port_up series, null while it has none.</summary>
    private readonly List<(string Port, string Backend)?> _upLabels = [];

    public void Fold(IReadOnlyList<PortStats> ports, Func<string, string> backendOf)
    {
        foreach (PortStats port in ports)
        {
            PortCounters c = port.Counters;
            _rxPackets.WithLabels(port.Name).IncTo(c.RxPackets);
            _rxBytes.WithLabels(port.Name).IncTo(c.RxBytes);
            _txPackets.WithLabels(port.Name).IncTo(c.TxPackets);
            _txBytes.WithLabels(port.Name).IncTo(c.TxBytes);
            _floods.WithLabels(port.Name).IncTo(c.Floods);
            for (int r = 0; r < DropReasons.Count; r++)
            {
                _drops.WithLabels(port.Name, DropReasons.Label((DropReason)r)).IncTo(c.Drops[r]);
            }
            FoldUp(port, backendOf);
        }
    }

    private void FoldUp(PortStats port, Func<string, string> backendOf)
    {
        while (_upLabels.Count <= port.Id)
        {
            _upLabels.Add(null);
        }
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
}
