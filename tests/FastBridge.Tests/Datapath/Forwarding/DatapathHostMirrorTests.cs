// Port mirrors on a running bridge (DatapathHost.Mirrors.cs): a bad mirror is refused naming the value
// and changes nothing; a good one copies on the live loops; removing a port removes its mirrors.
using FastBridge.Datapath.Forwarding;
using FastBridge.Datapath.Hosting;

namespace FastBridge.Tests.Datapath.Forwarding;

public sealed class DatapathHostMirrorTests : IDisposable
{
    private readonly Dictionary<string, TestWire> _wires = new()
    {
        ["m0"] = new TestWire("m0"), ["m1"] = new TestWire("m1"), ["m2"] = new TestWire("m2"),
    };

    private readonly DatapathHost _host;

    public DatapathHostMirrorTests()
    {
        _host = new DatapathHost(["m0", "m1", "m2"], new DatapathOptions(Workers: 1, PinWorkers: false, MaxPorts: 4), (name, _, _) => _wires[name].Open());
        _host.Start();
        _host.AddMirror(new MirrorSpec("span", ["m0"], MirrorDirection.Both, "m2"));
    }

    public void Dispose() => _host.Dispose();

    [Theory]
    [InlineData("span", "m1", "m2", "mirror span already exists")]
    [InlineData("other", "m0", "m0", "mirror destination m0 is also a source")]
    [InlineData("other", "m1", "nope", "unknown port nope")]
    [InlineData("other", "nope", "m1", "unknown port nope")]
    [InlineData("other", "m2", "m1", "port m2 is the destination of mirror span")]
    [InlineData("other", "m1", "m0", "port m0 is already in mirror span")]
    public void AddMirror_BadMirror_RefusedNamingTheValueNothingChanged(string name, string source, string destination, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => _host.AddMirror(new MirrorSpec(name, [source], MirrorDirection.Rx, destination)));
        Assert.Equal(message, e.Message);
        MirrorSpec only = Assert.Single(_host.Mirrors());
        Assert.Equal(("span", "m0", "m2"), (only.Name, only.Sources.Single(), only.Destination));
    }

    [Fact]
    public void AddMirror_LiveLoops_DestinationSeesEveryFrameCrossingTheSource()
    {
        byte[] fromM0 = TestFrames.Sized(0xFFFF_FFFF_FFFFUL, 0x0200_0000_020AUL, 64);
        byte[] toM0 = TestFrames.Sized(0x0200_0000_020AUL, 0x0200_0000_020BUL, 64);
        _wires["m0"].Inject(fromM0);
        Assert.True(SpinWait.SpinUntil(() => _wires["m1"].TakeTransmitted().Count == 1, 5000));
        _wires["m1"].Inject(toM0);
        Assert.True(SpinWait.SpinUntil(() => _wires["m0"].TakeTransmitted().Count == 1, 5000));
        List<byte[]> copies = [];
        Assert.True(SpinWait.SpinUntil(() => { copies.AddRange(_wires["m2"].TakeTransmitted()); return copies.Count >= 2; }, 5000));
        Assert.Equal([fromM0, toM0], copies);
    }

    [Fact]
    public void RemovePort_NamedByAMirror_TheMirrorGoes()
    {
        Assert.True(_host.RemovePort("m2", TimeSpan.FromSeconds(2)));
        Assert.Empty(_host.Mirrors());
        Assert.False(_host.RemoveMirror("span"));
    }
}
