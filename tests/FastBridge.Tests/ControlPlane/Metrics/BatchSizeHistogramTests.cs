using FastBridge.ControlPlane.Metrics;
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Hosting;
using Prometheus;

namespace FastBridge.Tests.ControlPlane.Metrics;

public sealed class BatchSizeHistogramTests
{
    [Fact]
    public async Task Fold_OneFrameBursts_FillTheBucketAtOneAloneWithTheFrameSum()
    {
        (CollectorRegistry registry, BatchSizeHistogram histogram) = Make();

        histogram.Fold([Loop(frames: 7, (0, 7))]);
        string text = await Scrape(registry);

        Assert.Contains("fastbridge_worker_batch_size_frames_bucket{le=\"0.9999999999999999\"} 0\n", text);
        Assert.Contains("fastbridge_worker_batch_size_frames_bucket{le=\"1\"} 7\n", text);
        Assert.Contains("fastbridge_worker_batch_size_frames_bucket{le=\"+Inf\"} 7\n", text);
        Assert.Contains("fastbridge_worker_batch_size_frames_sum 7\n", text);
    }

    [Fact]
    public async Task Fold_MixedBurstsOverTwoLoopsAndTwoScrapes_CountsEachBucketAndSumsTheFrames()
    {
        (CollectorRegistry registry, BatchSizeHistogram histogram) = Make();

        // Bursts of 3 and 3 (bucket <=4), 64 (<=64) and 1 (<=1) on loop 0; 5 (<=8) on loop 1.
        histogram.Fold([Loop(frames: 71, (2, 2), (6, 1), (0, 1)), Loop(frames: 5, (3, 1))]);
        // Then one more burst of 40 on loop 1.
        histogram.Fold([Loop(frames: 71, (2, 2), (6, 1), (0, 1)), Loop(frames: 45, (3, 1), (6, 1))]);
        string text = await Scrape(registry);

        Assert.Contains("fastbridge_worker_batch_size_frames_bucket{le=\"1\"} 1\n", text);
        Assert.Contains("fastbridge_worker_batch_size_frames_bucket{le=\"2\"} 1\n", text);
        Assert.Contains("fastbridge_worker_batch_size_frames_bucket{le=\"4\"} 3\n", text);
        Assert.Contains("fastbridge_worker_batch_size_frames_bucket{le=\"8\"} 4\n", text);
        Assert.Contains("fastbridge_worker_batch_size_frames_bucket{le=\"64\"} 6\n", text);
        Assert.Contains("fastbridge_worker_batch_size_frames_count 6\n", text);
        Assert.Contains("fastbridge_worker_batch_size_frames_sum 116\n", text);
    }

    private static (CollectorRegistry, BatchSizeHistogram) Make()
    {
        CollectorRegistry registry = Prometheus.Metrics.NewCustomRegistry();
        return (registry, new BatchSizeHistogram(Prometheus.Metrics.WithCustomRegistry(registry)));
    }

    /// <summary>A loop's stats with <paramref name="frames"/> in all and (bucket, bursts) counts.</summary>
    private static LoopStats Loop(ulong frames, params (int Bucket, ulong Bursts)[] buckets)
    {
        var sizes = new ulong[LoopCounters.BatchSizeBucketCount];
        foreach ((int bucket, ulong bursts) in buckets)
        {
            sizes[bucket] = bursts;
        }
        return new LoopStats(0, (ulong)buckets.Sum(b => (long)b.Bursts), frames, 0, 0, sizes);
    }

    private static async Task<string> Scrape(CollectorRegistry registry)
    {
        using var text = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(text);
        return System.Text.Encoding.UTF8.GetString(text.ToArray());
    }
}
