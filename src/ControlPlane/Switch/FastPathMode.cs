// --fast-path (config key fastPath): whether known unicast may be switched inside the kernel by the
// ports' XDP programs. Auto uses it where the kernel accepts the program and turns it off, saying why,
// where not; On refuses to start without it; Off is the poll loops alone, exactly as before the fast path.
namespace FastBridge.ControlPlane.Switch;

internal enum FastPathMode
{
    Auto,
    On,
    Off,
}

internal static class FastPathModes
{
    public static readonly string[] Names = ["auto", "on", "off"];

    public static FastPathMode Parse(string text) => text switch
    {
        "on" => FastPathMode.On,
        "off" => FastPathMode.Off,
        _ => FastPathMode.Auto,
    };
}
