// Which CPUs the poll loops run on, and keeping everything else off them: pinning a thread to one
// CPU, the CPU lists an operator writes (`2,3`, `0-3,8`), the CPUs the process may use, and moving
// the process's other threads (runtime, API, timers) off the poll loops' CPUs, as Open vSwitch keeps
// its non-PMD threads off pmd-cpu-mask. Set-up only: a poll thread pins itself before its loop starts.
using System.Globalization;
using Tmds.Linux;

namespace FastBridge.Datapath.Interop;

internal static unsafe class CpuAffinity
{
    /// <summary>Bits in glibc's cpu_set_t: the highest CPU number a list may name is one less.</summary>
    internal const int CpuSetBits = 1024;

    private const int MaskWords = CpuSetBits / 64;

    /// <summary>Pins the calling thread to one CPU; false when the CPU does not exist or is not allowed.</summary>
    internal static bool TryPinCurrentThread(int cpu)
    {
        if ((uint)cpu >= CpuSetBits)
        {
            return false;
        }
        ulong* mask = stackalloc ulong[MaskWords];
        Fill(mask, [cpu]);
        return LibC.sched_setaffinity(0, CpuSetBits / 8, (cpu_set_t*)mask) == 0;
    }

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
                || last < first || last >= CpuSetBits)
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
        ulong* mask = stackalloc ulong[MaskWords];
        Fill(mask, others);
        foreach (string task in Directory.GetDirectories("/proc/self/task"))
        {
            if (int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out int tid))
            {
                _ = LibC.sched_setaffinity(tid, CpuSetBits / 8, (cpu_set_t*)mask); // a thread that just exited is no loss
            }
        }
    }

    private static int[]? Read(int tid)
    {
        ulong* mask = stackalloc ulong[MaskWords];
        if (LibC.sched_getaffinity(tid, CpuSetBits / 8, (cpu_set_t*)mask) != 0)
        {
            return null;
        }
        var cpus = new List<int>();
        for (int cpu = 0; cpu < CpuSetBits; cpu++)
        {
            if ((mask[cpu / 64] & (1UL << (cpu % 64))) != 0)
            {
                cpus.Add(cpu);
            }
        }
        return [.. cpus];
    }

    /// <summary>Sets <paramref name="mask"/> (a cpu_set_t) to exactly <paramref name="cpus"/>, each below CpuSetBits.</summary>
    private static void Fill(ulong* mask, ReadOnlySpan<int> cpus)
    {
        new Span<ulong>(mask, MaskWords).Clear();
        foreach (int cpu in cpus)
        {
            mask[cpu / 64] |= 1UL << (cpu % 64);
        }
    }
}
