// One long-lived thread that runs short requests inside other network namespaces, for the checks made
// again and again: the fast path reads each veth peer's GRO flag every tick (FastPathEgress through
// InterfaceGro), and Namespaces.RunIn's thread per call was one new thread per port per second on an
// idle daemon. The thread starts with the first request and serves one at a time: setns into the
// target, run the request, setns back into the process's own namespace through an fd opened once
// (/proc/self/ns/net: the main thread's, whichever thread opens it). Between requests it holds no
// peer's fd and sits in no peer's namespace, since either would keep a deleted container's namespace,
// and its veth, alive; a thread that cannot get back ends, which lets that namespace go, and the next
// request starts another. A request must be short and leave the thread as it found it: no pinning, no
// thread started (it would be born in the namespace visited), nothing that waits on another request.
// Long or thread-owning work (the lab's traffic generators) takes a thread of its own with
// Namespaces.RunIn. Callers: set-up and tick threads, one request at a time under a lock.
using System.Runtime.ExceptionServices;
using Microsoft.Win32.SafeHandles;

namespace FastBridge.Datapath.Ports;

internal sealed class NamespaceThread : IDisposable
{
    private const string OwnNamespacePath = "/proc/self/ns/net";

    private readonly Lock _oneRequestAtATime = new();
    private readonly SemaphoreSlim _requested = new(0);
    private readonly SemaphoreSlim _answered = new(0);
    private SafeFileHandle? _ownNamespace;
    private Thread? _thread;
    private bool _disposed;

    // The request in flight: written by the caller before _requested, read by the thread, answered
    // through _failure before _answered; both semaphores order the accesses.
    private SafeFileHandle? _netns;
    private string _description = "";
    private Action? _request;
    private ExceptionDispatchInfo? _failure;

    /// <summary>The process's one such thread.</summary>
    public static NamespaceThread Shared { get; } = new();

    /// <summary>
    /// Runs <paramref name="request"/> on the namespace thread inside the namespace <paramref name="netns"/> refers to,
    /// waits for it and rethrows what it threw; a namespace that cannot be entered throws as Namespaces.RunIn does,
    /// naming it by <paramref name="description"/>. The caller keeps <paramref name="netns"/> and closes it.
    /// </summary>
    public void Run(SafeFileHandle netns, string description, Action request)
    {
        ArgumentNullException.ThrowIfNull(netns);
        ArgumentNullException.ThrowIfNull(request);
        if (Thread.CurrentThread == _thread)
        {
            throw new InvalidOperationException("a request on the namespace thread cannot make another: it would wait for itself");
        }
        lock (_oneRequestAtATime)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Start();
            (_netns, _description, _request) = (netns, description, request);
            _requested.Release();
            _answered.Wait();
            ExceptionDispatchInfo? failure = _failure;
            (_netns, _description, _request, _failure) = (null, "", null, null);
            failure?.Throw();
        }
    }

    /// <summary>Ends the thread (after the request in flight) and closes our namespace's fd.</summary>
    public void Dispose()
    {
        lock (_oneRequestAtATime)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            if (_thread is { } thread)
            {
                _request = null; // tells Serve to end
                _requested.Release();
                thread.Join();
            }
            _ownNamespace?.Dispose();
            _requested.Dispose();
            _answered.Dispose();
        }
    }

    /// <summary>Opens our namespace's fd the first time and starts the thread when none serves; under the lock.</summary>
    private void Start()
    {
        _ownNamespace ??= File.OpenHandle(OwnNamespacePath, FileMode.Open, FileAccess.Read);
        if (_thread is not null)
        {
            return;
        }
        _thread = new Thread(Serve)
        {
            IsBackground = true,
            Name = "fastbridge-netns",
        };
        _thread.Start();
    }

    private void Serve()
    {
        while (true)
        {
            _requested.Wait();
            if (_request is null)
            {
                return; // Dispose
            }
            bool home = Visit();
            if (!home)
            {
                _thread = null; // the next request starts a new thread: this one ends, and the namespace it is stuck in can go
            }
            _answered.Release();
            if (!home)
            {
                return;
            }
        }
    }

    /// <summary>Enters the request's namespace, runs it and comes back; false when it could not come back.</summary>
    private bool Visit()
    {
        try
        {
            Namespaces.Enter(_netns!, _description);
        }
        catch (InvalidOperationException e)
        {
            _failure = ExceptionDispatchInfo.Capture(e);
            return true; // setns failed: still in our own namespace
        }
        try
        {
            _request!();
        }
        catch (Exception e)
        {
            _failure = ExceptionDispatchInfo.Capture(e);
        }
        try
        {
            Namespaces.Enter(_ownNamespace!, "our own network namespace again");
            return true;
        }
        catch (InvalidOperationException e)
        {
            _failure = ExceptionDispatchInfo.Capture(e); // outranks the request's own failure: the thread is lost
            return false;
        }
    }
}
