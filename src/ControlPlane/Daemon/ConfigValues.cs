// Values with a syntax of their own, read the same from a flag, a FASTBRIDGE_* variable or the config
// file: the API's HTTP endpoint and the group forward mask. The command line (Cli/RunCommand) checks
// them early with these and DaemonConfig reads them with these, so both refuse with the same line.
using System.Globalization;
using System.Net;
using FastBridge.Datapath.Hosting;

namespace FastBridge.ControlPlane.Daemon;

internal static class ConfigValues
{
    /// <summary>
    /// A loopback IP and port: over TCP the API trusts a bearer token at most, so it is never offered
    /// beyond this host. An IPv4-mapped address ([::ffff:127.0.0.1]) is refused: it passed as loopback
    /// and then failed to bind (issue 10); 127.0.0.1 says the same thing.
    /// </summary>
    public static bool TryParseHttp(string text, out IPEndPoint? endpoint, out string? error)
    {
        error = null;
        if (!IPEndPoint.TryParse(text, out endpoint) || endpoint.Port == 0)
        {
            error = $"--http: '{EchoedText.Cut(text)}' is not an address:port such as 127.0.0.1:9470";
            return false;
        }
        if (endpoint.Address.IsIPv4MappedToIPv6)
        {
            error = $"--http: {endpoint.Address} is an IPv4-mapped address; write {endpoint.Address.MapToIPv4()}:{endpoint.Port}";
            return false;
        }
        if (!IPAddress.IsLoopback(endpoint.Address))
        {
            error = $"--http: {endpoint.Address} is not a loopback address; the API listens on loopback only";
            return false;
        }
        return true;
    }

    public static bool TryParseGroupMask(string text, out ushort mask, out string? error)
    {
        mask = 0;
        error = null;
        bool hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        if (!ushort.TryParse(hex ? text.AsSpan(2) : text, hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None, CultureInfo.InvariantCulture, out mask))
        {
            error = $"--group-fwd-mask: '{EchoedText.Cut(text)}' is not a 16-bit number (decimal or 0x hex)";
            return false;
        }
        if ((mask & DatapathOptions.RestrictedGroupForwardBits) != 0)
        {
            error = $"--group-fwd-mask: bits 0-2 (STP, pause, LACP) cannot be opened, as in the Linux bridge: {EchoedText.Cut(text)}";
            return false;
        }
        return true;
    }
}
