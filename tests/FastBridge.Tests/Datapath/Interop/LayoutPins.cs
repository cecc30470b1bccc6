// Pins kernel struct sizes, field offsets and constants mirrored in src/Datapath/Interop twice:
// against hard-coded values (so the meaning is readable in each test) and against this machine's
// kernel headers, through a small C program compiled with gcc that prints each C expression. The one
// header probe every layout test uses; each names the headers its expressions need.
using System.Globalization;
using System.Runtime.InteropServices;

namespace FastBridge.Tests.Datapath.Interop;

internal static class LayoutPins
{
    /// <summary>The uapi headers of bpf(2), AF_XDP and rtnetlink (with the glibc headers their expressions use).</summary>
    public static readonly string[] LinuxHeaders =
    [
        "#include <stdio.h>", "#include <stddef.h>", "#include <errno.h>", "#include <unistd.h>",
        "#include <sys/syscall.h>", "#include <sys/socket.h>", "#include <sys/mman.h>", "#include <linux/bpf.h>",
        "#include <linux/if_link.h>", "#include <linux/if_xdp.h>", "#include <linux/rtnetlink.h>", "#include <linux/if.h>",
        "#include <linux/net_namespace.h>",
        "#define offsetofend(T, m) (offsetof(T, m) + sizeof(((T *)0)->m))",
        "#ifndef AF_XDP", "#define AF_XDP 44", "#endif", "#ifndef SOL_XDP", "#define SOL_XDP 283", "#endif",
    ];

    public static long Off<T>(string field) => (long)Marshal.OffsetOf<T>(field);

    /// <summary>Every C# value equals the value written beside it.</summary>
    public static void AssertHardCoded(IEnumerable<(string Name, string C, long Actual, long Expected)> pins)
    {
        var wrong = pins.Where(p => p.Actual != p.Expected).Select(p => $"{p.Name}: C# {p.Actual}, expected {p.Expected}").ToList();
        Assert.Empty(wrong);
    }

    /// <summary>Every C# value equals what the installed headers make of its C expression.</summary>
    public static void AssertKernelHeaders(IReadOnlyList<string> headers, IReadOnlyList<(string Name, string C, long Actual, long Expected)> pins)
    {
        Dictionary<string, long> kernel = Probe(headers, pins);
        var wrong = pins.Where(p => kernel[p.Name] != p.Actual).Select(p => $"{p.Name}: C# {p.Actual}, kernel headers {kernel[p.Name]}").ToList();
        Assert.Empty(wrong);
    }

    /// <summary>Compiles a C program against the installed headers that prints each expression; the values by name.</summary>
    private static Dictionary<string, long> Probe(IReadOnlyList<string> headers, IReadOnlyList<(string Name, string C, long Actual, long Expected)> pins)
    {
        string dir = Directory.CreateTempSubdirectory("fb-layout-").FullName;
        try
        {
            string source = Path.Combine(dir, "layout.c");
            string binary = Path.Combine(dir, "layout");
            var lines = new List<string>(headers) { "int main(void) {" };
            lines.AddRange(pins.Select(p => $"  printf(\"{p.Name} %lld\\n\", (long long)({p.C}));"));
            lines.Add("  return 0; }");
            File.WriteAllLines(source, lines);
            ChildProcess.RunChecked("gcc", ["-D_GNU_SOURCE", "-o", binary, source], s_timeout);
            return ChildProcess.RunChecked(binary, [], s_timeout).Stdout
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(' '))
                .ToDictionary(parts => parts[0], parts => long.Parse(parts[1], CultureInfo.InvariantCulture));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
}
