// process_open_fds and process_max_fds, which prometheus-net's process metrics lack on Linux (it
// has process_open_handles): the entries of /proc/self/fd, and the soft RLIMIT_NOFILE from
// /proc/self/limits. Read at scrape time only, on the scraping thread.
using System.IO.Enumeration;

namespace FastBridge.ControlPlane.Metrics;

internal static class ProcessFiles
{
    /// <summary>File descriptors open now (the one that lists them included, as client_golang counts); no string per entry.</summary>
    public static double OpenCount()
    {
        int count = 0;
        foreach (byte _ in new FileSystemEnumerable<byte>("/proc/self/fd", (ref FileSystemEntry _) => 0))
        {
            count++;
        }
        return count;
    }

    /// <summary>The soft limit on open files; NaN if /proc/self/limits has no such line, +Inf when unlimited.</summary>
    public static double MaxCount()
    {
        // "Max open files            1024                 524288               files"
        foreach (string line in File.ReadLines("/proc/self/limits"))
        {
            if (line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                string soft = line["Max open files".Length..].TrimStart().Split(' ')[0];
                return soft == "unlimited" ? double.PositiveInfinity
                    : double.TryParse(soft, System.Globalization.CultureInfo.InvariantCulture, out double value) ? value : double.NaN;
            }
        }
        return double.NaN;
    }
}
