// The port mirror part of a reload: mirrors dropped or changed are removed, new or changed ones added.
using FastBridge.ControlPlane.Daemon;
using FastBridge.ControlPlane.Switch;
using FastBridge.Datapath.Hosting;

namespace FastBridge.Tests.ControlPlane.Daemon;

public sealed class ConfigDiffMirrorTests
{
    private static readonly MirrorRequest s_span = new("span", ["a"], "c", "both");
    private static readonly MirrorRequest s_spanTx = new("span", ["a"], "c", "tx");
    private static readonly MirrorRequest s_kept = new("kept", ["b"], "d", null);

    private static DaemonConfig Config(params MirrorRequest[] mirrors) =>
        new(["a", "b", "c", "d"], "afpacket", "auto", new DatapathOptions(), 5, [], "/tmp/s.sock", true, null, null) { Mirrors = mirrors };

    [Fact]
    public void Compute_MirrorChangedAndKept_RemovesAndAddsOnlyTheChanged()
    {
        Assert.Equal<ConfigCommand>([new ConfigCommand.RemoveMirror("span"), new ConfigCommand.AddMirror(s_spanTx)],
            ConfigDiff.Compute(Config(s_span, s_kept), ["a", "b", "c", "d"], 300, Config(s_spanTx, new("kept", ["b"], "d", "both"))));
    }

    [Fact]
    public void Compute_MirrorDropped_Removed()
    {
        Assert.Equal<ConfigCommand>([new ConfigCommand.RemoveMirror("kept")],
            ConfigDiff.Compute(Config(s_kept), ["a", "b", "c", "d"], 300, Config()));
    }
}
