// `fastbridge run --ring-size N --umem-frames N`: the AF_XDP memory flags, checked by XdpMemory's
// rules so that the flag, the config key and the environment variable refuse the same values.
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using FastBridge.Datapath.Xdp;

namespace FastBridge.ControlPlane.Cli;

internal static class XdpMemoryOptions
{
    public static (Option<int> RingSize, Option<int> UmemFrames) Create()
    {
        var ringSize = new Option<int>("--ring-size")
        {
            Description = $"Entries in each AF_XDP ring (fill, RX, TX, completion), a power of two; default {XdpMemory.DefaultRingSize}.",
            DefaultValueFactory = _ => XdpMemory.DefaultRingSize,
            CustomParser = ValueParsers.Whole<int>("--ring-size"),
        };
        ringSize.Validators.Add(r => Check(r, "--ring-size", XdpMemory.RingSizeProblem));
        var umemFrames = new Option<int>("--umem-frames")
        {
            Description = "4 KiB frames in each worker's AF_XDP UMEM, all pinned in memory; default 4 x ring size per port named at start (at least 2 ports), "
                + "enough that no ring ever runs short.",
            CustomParser = ValueParsers.Whole<int>("--umem-frames"),
        };
        umemFrames.Validators.Add(r => Check(r, "--umem-frames", XdpMemory.UmemFramesProblem));
        return (ringSize, umemFrames);
    }

    private static void Check(OptionResult result, string name, Func<int, string?> problem)
    {
        foreach (Token token in result.Tokens)
        {
            if (int.TryParse(token.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && problem(value) is { } what)
            {
                result.AddError($"{name} {what}");
            }
        }
    }
}
