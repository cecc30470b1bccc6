// The one way FastBridge runs work inside another network namespace: by name (ip netns add NAME ->
// /var/run/netns/NAME) or by an fd the caller opened (a named namespace or /proc/PID/ns/net). setns
// changes only the calling thread, so the work runs on a new thread of its own that ends with it and is
// never returned to a pool; sockets it creates stay in that namespace for their whole life. The lab
// builds hosts and runs its traffic generators this way (long work, pinned threads, several at once).
// Short requests made again and again (the switch reading a veth peer's GRO flag every tick) go to
// NamespaceThread instead, which creates no thread per request. Entering a namespace needs
// CAP_SYS_ADMIN (setns(2)).
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using FastBridge.Datapath.Interop;
using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

namespace FastBridge.Datapath.Ports;

internal static class Namespaces
{
    /// <summary>Where `ip netns add` puts named namespaces (iproute2's NETNS_RUN_DIR).</summary>
    internal const string NamedDirectory = "/var/run/netns";

    /// <summary>Runs <paramref name="action"/> on a new thread inside the named namespace, waits for it and rethrows what it threw.</summary>
    internal static void RunIn(string netnsName, Action action)
    {
        using SafeFileHandle netns = OpenNamed(netnsName);
        RunIn(netns, $"network namespace {netnsName}", action);
    }

    /// <summary>An fd of the named namespace, for RunIn; throws IOException when there is none of that name.</summary>
    internal static SafeFileHandle OpenNamed(string netnsName)
    {
        ArgumentException.ThrowIfNullOrEmpty(netnsName);
        if (netnsName.Contains('/') || netnsName is "." or "..")
        {
            throw new ArgumentException($"network namespace name '{netnsName}' is not a plain name", nameof(netnsName));
        }
        return File.OpenHandle(Path.Combine(NamedDirectory, netnsName), FileMode.Open, FileAccess.Read);
    }

    /// <summary>
    /// Runs <paramref name="action"/> on a new thread inside the namespace <paramref name="netns"/> refers to, waits for
    /// it and rethrows what it threw; <paramref name="description"/> names the namespace in an error ("network namespace
    /// NAME", "the namespace of pid N").
    /// </summary>
    internal static void RunIn(SafeFileHandle netns, string description, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                Enter(netns, description);
                action();
            }
            catch (Exception ex)
            {
                failure = ExceptionDispatchInfo.Capture(ex);
            }
        })
        {
            IsBackground = true,
            Name = "fastbridge-netns",
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
    }

    /// <summary>Moves the calling thread into the namespace <paramref name="netns"/> refers to; throws naming <paramref name="description"/> when it cannot.</summary>
    internal static void Enter(SafeFileHandle netns, string description)
    {
        if (LibC.setns((int)netns.DangerousGetHandle(), LibC.CLONE_NEWNET) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            string why = errno == LibC.EPERM ? ": entering a network namespace needs CAP_SYS_ADMIN" : "";
            throw new InvalidOperationException($"cannot enter {description}: setns: {LibcExtras.ErrnoText(errno)}{why}");
        }
    }
}
