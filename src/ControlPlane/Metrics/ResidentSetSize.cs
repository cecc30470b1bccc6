// The process's resident set size for /metrics, from /proc/self/statm (its second field, in pages),
// read with pread through a handle opened once into a stack buffer: nothing allocated per scrape, as
// Environment.WorkingSet and Process (which parse /proc into strings) would. Any scrape thread.
using Microsoft.Win32.SafeHandles;

namespace FastBridge.ControlPlane.Metrics;

internal static class ResidentSetSize
{
    private static readonly SafeFileHandle s_statm = File.OpenHandle("/proc/self/statm");

    /// <summary>Bytes resident now; NaN if statm could not be read or parsed.</summary>
    public static double Read()
    {
        Span<byte> text = stackalloc byte[256];
        int length = RandomAccess.Read(s_statm, text, 0);
        // "size resident shared text lib data dt", in pages.
        ReadOnlySpan<byte> fields = text.Slice(0, length);
        int space = fields.IndexOf((byte)' ');
        if (space < 0)
        {
            return double.NaN;
        }
        fields = fields.Slice(space + 1);
        long pages = 0;
        int digits = 0;
        for (; digits < fields.Length && fields[digits] is >= (byte)'0' and <= (byte)'9'; digits++)
        {
            pages = pages * 10 + (fields[digits] - '0');
        }
        return digits == 0 ? double.NaN : (double)pages * Environment.SystemPageSize;
    }
}
