// fastbridge_worker_batch_size_frames: frames per received burst, all poll loops, folded at scrape
// time from the loops' per-bucket burst counts (LoopCounters.BatchSizes). The loops count bursts
// per bucket, not their sizes, so each bucket's new bursts are observed at sizes chosen inside the
// bucket such that the histogram's sum follows the loops' frame total: sum / count stays the true
// average burst. A shortfall or excess from counters read mid-burst is made up at the next scrape.
//
// histogram_quantile interpolates linearly inside the bucket a quantile falls in, from the bucket
// below's bound: with a lowest bucket le="1", a p90 of bursts of exactly 1 frame reads 0.9 (issue
// 15). Frames are whole, so the bucket (0.9999999999999999, 1] below le="1" holds exactly the
// 1-frame bursts, and interpolating across a width of one double's step lands on 1 for every
// quantile from 0.5 up (PrometheusTests proves it on a real server). The always-empty bucket
// le="0.9999999999999999" below it is the price: one series.
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Hosting;
using Prometheus;

namespace FastBridge.ControlPlane.Metrics;

internal sealed class BatchSizeHistogram
{
    public const string Name = "fastbridge_worker_batch_size_frames";

    private readonly Histogram _histogram;

    /// <summary>Bursts per loop bucket already observed.</summary>
    private readonly ulong[] _folded = new ulong[LoopCounters.BatchSizeBucketCount];

    public BatchSizeHistogram(IMetricFactory metrics) =>
        _histogram = metrics.CreateHistogram(Name, "Frames per received burst, all poll loops.", labelNames: [],
            new HistogramConfiguration { Buckets = [Math.BitDecrement(1.0), .. Bounds()] });

    /// <summary>Observes the bursts counted since the last call. Callers serialise.</summary>
    public void Fold(IReadOnlyList<LoopStats> loops)
    {
        Span<ulong> bursts = stackalloc ulong[LoopCounters.BatchSizeBucketCount];
        double frames = 0;
        foreach (LoopStats loop in loops)
        {
            for (int b = 0; b < bursts.Length; b++)
            {
                bursts[b] += loop.BatchSizes?[b] ?? 0;
            }
            frames += loop.Frames;
        }
        Span<ulong> added = stackalloc ulong[bursts.Length];
        // Frames to spread over the new bursts beyond the least each bucket's bursts hold.
        double spare = frames - _histogram.Sum;
        for (int b = 0; b < bursts.Length; b++)
        {
            added[b] = bursts[b] > _folded[b] ? bursts[b] - _folded[b] : 0;
            _folded[b] += added[b];
            spare -= added[b] * Smallest(b);
        }
        for (int b = 0; b < bursts.Length; b++)
        {
            if (added[b] == 0)
            {
                continue;
            }
            double extra = Math.Clamp(spare, 0, added[b] * (Largest(b) - Smallest(b)));
            spare -= extra;
            _histogram.Observe(Smallest(b) + extra / added[b], (long)added[b]);
        }
    }

    private static double[] Bounds()
    {
        ReadOnlySpan<int> bounds = LoopCounters.BatchSizeBounds;
        var result = new double[bounds.Length];
        for (int i = 0; i < bounds.Length; i++)
        {
            result[i] = bounds[i];
        }
        return result;
    }

    /// <summary>The fewest frames a burst in loop bucket <paramref name="b"/> holds: one more than the bound below.</summary>
    private static double Smallest(int b) => b == 0 ? 1 : LoopCounters.BatchSizeBounds[b - 1] + 1;

    /// <summary>The most frames a burst in loop bucket <paramref name="b"/> holds; the last bucket has no bound.</summary>
    private static double Largest(int b) =>
        b < LoopCounters.BatchSizeBounds.Length ? LoopCounters.BatchSizeBounds[b] : double.PositiveInfinity;
}
