// Entering a named network namespace (ip netns add NAME -> /var/run/netns/NAME) for one piece of
// work. setns changes only the calling thread, so the work runs on a dedicated thread that is
// never returned to a pool; sockets it creates stay in that namespace for their whole life.
// Lab-only (the walkthrough, the tests and the bench): the switch itself never changes namespace.
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using FastBridge.Datapath.Interop;
using Tmds.Linux;

namespace FastBridge.ControlPlane.Lab;

internal static class Namespaces
{
    private const string NetnsDirectory = "/var/run/netns";

    /// <summary>Runs <paramref name="action"/> on a new thread inside the namespace, waits for it and rethrows what it threw.</summary>
    internal static void RunIn(string netnsName, Action action)
    {
        ArgumentException.ThrowIfNullOrEmpty(netnsName);
        ArgumentNullException.ThrowIfNull(action);
        if (netnsName.Contains('/') || netnsName is "." or "..")
        {
            throw new ArgumentException($"network namespace name '{netnsName}' is not a plain name", nameof(netnsName));
        }

        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                Enter(netnsName);
                action();
            }
            catch (Exception ex)
            {
                failure = ExceptionDispatchInfo.Capture(ex);
            }
        })
        {
            IsBackground = true,
            Name = $"netns {netnsName}",
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
    }

    private static void Enter(string netnsName)
    {
        string path = Path.Combine(NetnsDirectory, netnsName);
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        if (LibC.setns((int)handle.DangerousGetHandle(), LibC.CLONE_NEWNET) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new InvalidOperationException($"network namespace {netnsName}: setns failed: {LibcExtras.ErrnoText(errno)}");
        }
    }
}
