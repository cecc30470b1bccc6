// Which CPUs the poll loops run on, and keeping everything else off them: the CPU lists an operator
// writes (`2,3`, `0-3,8`), the CPUs the process may use, and moving the process's other threads
// (runtime, API, timers) off the poll loops' CPUs, as Open vSwitch keeps its non-PMD threads off
// pmd-cpu-mask. Set-up only, never on a poll thread.
using System.Globalization;

namespace FastBridge.Datapath.Interop;

internal static unsafe class CpuAffinity
{
    /// <summary>
    /// The CPUs the calling thread may run on (at start: the process's, e.g. as `taskset -c 1` set it),
    /// ascending; every CPU up to ProcessorCount if the kernel will not say.
    /// </summary>
    internal static int[] Allowed() => Read(0) ?? Enumerable.Range(0, Environment.ProcessorCount).ToArray();

    /// <summary>The CPUs the kernel has online (/sys/devices/system/cpu/online), or null if it cannot be read.</summary>
    internal static int[]? Online() =>
        File.Exists("/sys/devices/system/cpu/online") && TryParseList(File.ReadAllText("/sys/devices/system/cpu/online").Trim(), out int[] cpus, out _) ? cpus : null;

    /// <summary>Parses a CPU list as taskset and the kernel write them: "1", "2,3", "0-3,8". Sorted, no duplicates.</summary>
    internal static bool TryParseList(string text, out int[] cpus, out string? error)
    {
        cpus = [];
        error = null;
        var set = new SortedSet<int>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            string[] range = part.Split('-', StringSplitOptions.TrimEntries);
            if (range.Length is < 1 or > 2
                || !int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out int first)
                || !int.TryParse(range[^1], NumberStyles.None, CultureInfo.InvariantCulture, out int last)
                || last < first || last >= Libc.CpuSetBits)
            {
                error = $"'{text}' is not a CPU list such as 1, 2,3 or 0-3 ('{part}')";
                return false;
            }
            for (int cpu = first; cpu <= last; cpu++)
            {
                set.Add(cpu);
            }
        }
        cpus = [.. set];
        return true;
    }

    /// <summary>
    /// Restricts every thread of the process (those to come inherit it) to the allowed CPUs that are not
    /// in <paramref name="reserved"/>. Does nothing when that leaves none.
    /// </summary>
    internal static void MoveThreadsOff(ReadOnlySpan<int> reserved)
    {
        int[] reservedCpus = reserved.ToArray();
        int[] others = Allowed().Where(cpu => !reservedCpus.Contains(cpu)).ToArray();
        if (others.Length == 0)
        {
            return;
        }
        ulong* mask = stackalloc ulong[Libc.CpuSetBits / 64];
        new Span<ulong>(mask, Libc.CpuSetBits / 64).Clear();
        foreach (int cpu in others)
        {
            mask[cpu / 64] |= 1UL << (cpu % 64);
        }
        foreach (string task in Directory.GetDirectories("/proc/self/task"))
        {
            if (int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out int tid))
            {
                _ = Libc.sched_setaffinity(tid, Libc.CpuSetBits / 8, mask); // a thread that just exited is no loss
            }
        }
    }

    private static int[]? Read(int tid)
    {
        ulong* mask = stackalloc ulong[Libc.CpuSetBits / 64];
        if (Libc.sched_getaffinity(tid, Libc.CpuSetBits / 8, mask) != 0)
        {
            return null;
        }
        var cpus = new List<int>();
        for (int cpu = 0; cpu < Libc.CpuSetBits; cpu++)
        {
            if ((mask[cpu / 64] & (1UL << (cpu % 64))) != 0)
            {
                cpus.Add(cpu);
            }
        }
        return [.. cpus];
    }
}
