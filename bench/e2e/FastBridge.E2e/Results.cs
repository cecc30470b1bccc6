// Every figure the bench measured, one row per (round, switch, frame size, figure), and the names
// and units of the figures in one place.
namespace FastBridge.E2e;

internal sealed record Row(int Round, string Switch, int Size, string Figure, double Value);

internal sealed class Results
{
    private readonly List<Row> _rows = [];

    public IReadOnlyList<Row> Rows => _rows;

    public void Add(int round, string sut, int size, string figure, double value) => _rows.Add(new Row(round, sut, size, figure, value));

    /// <summary>The value for one round, or NaN if it was not measured.</summary>
    public double Get(int round, string sut, int size, string figure) =>
        _rows.FirstOrDefault(r => r.Round == round && r.Switch == sut && r.Size == size && r.Figure == figure)?.Value ?? double.NaN;

    /// <summary>The median over rounds, NaN if never measured.</summary>
    public double Median(string sut, int size, string figure) =>
        MedianOf(_rows.Where(r => r.Switch == sut && r.Size == size && r.Figure == figure).Select(r => r.Value).ToArray());

    /// <summary>value / peer's value in the same round, for every round that has both: drift between rounds cancels.</summary>
    public double[] Ratios(string sut, string peer, int size, string figure) =>
        _rows.Where(r => r.Switch == sut && r.Size == size && r.Figure == figure)
            .Select(r => r.Value / Get(r.Round, peer, size, figure))
            .Where(double.IsFinite)
            .ToArray();

    /// <summary>The median of the in-round ratios (Ratios), NaN if none.</summary>
    public double MedianRatio(string sut, string peer, int size, string figure) => MedianOf(Ratios(sut, peer, size, figure));

    /// <summary>The median of <paramref name="values"/> (left in their order), NaN if none.</summary>
    public static double MedianOf(double[] values)
    {
        if (values.Length == 0)
        {
            return double.NaN;
        }
        double[] sorted = [.. values];
        Array.Sort(sorted);
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}

internal static class Figures
{
    public const string Throughput = "rfc2544_throughput_fps";
    public const string MaxLoadForwarded = "max_load_forwarded_fps";
    public const string MaxLoadOffered = "max_load_offered_fps";
    public const string LatencyLowP50 = "latency_low_p50_us";
    public const string LatencyLowP99 = "latency_low_p99_us";
    public const string LatencyModerateP50 = "latency_moderate_p50_us";
    public const string LatencyModerateP99 = "latency_moderate_p99_us";
    public const string ModerateLoss = "moderate_loss_percent";
    public const string CpuModerate = "cpu_ms_per_mframe_moderate";
    public const string CpuMax = "cpu_ms_per_mframe_max_load";
    public const string GenCpuBusyMax = "gen_cpu_busy_percent_max_load";
    public const string SwitchCpuBusyMax = "switch_cpu_busy_percent_max_load";
    public const string GenCpuBusyModerate = "gen_cpu_busy_percent_moderate";
    public const string SwitchCpuBusyModerate = "switch_cpu_busy_percent_moderate";
    public const string GcCollections = "gc_collections";
    public const string FastPathFrames = "fast_path_frames";
    public const string PollLoopFrames = "poll_loop_frames";
    public const string CachingCapacity = "rfc2889_caching_capacity";
    public const string CachingCapacityAtLeast = "rfc2889_caching_capacity_at_least";
    public const string LearningRate = "rfc2889_learning_rate_fps";
}
