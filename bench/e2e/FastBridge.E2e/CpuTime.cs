// Busy time per CPU from /proc/stat (user, nice, system, irq, softirq, steal; not idle or iowait),
// in seconds, so a trial can say how much CPU each side of the machine spent on it.
using System.Globalization;

namespace FastBridge.E2e;

internal sealed record CpuTime(double[] Busy)
{
    public static CpuTime Read()
    {
        double tick = 1.0 / 100; // USER_HZ is 100 on every Linux architecture .NET runs on
        var busy = new List<double>();
        foreach (string line in File.ReadLines("/proc/stat"))
        {
            if (!line.StartsWith("cpu", StringComparison.Ordinal) || line.StartsWith("cpu ", StringComparison.Ordinal))
            {
                continue;
            }
            long[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            busy.Add((f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) * tick);
        }
        return new CpuTime([.. busy]);
    }

    /// <summary>Busy seconds per CPU between <paramref name="earlier"/> and this sample.</summary>
    public double[] Since(CpuTime earlier) => Busy.Select((b, i) => b - earlier.Busy[i]).ToArray();
}
