// Port policies while the loops run: a change publishes to every loop a table with the new policy (the
// flood lists worked out again there), the RCU way, as a port change does; the loops never lock. A
// policy belongs to the port id while the port is in the bridge; removing the port forgets it, so a
// port added again starts from the defaults, as on the Linux bridge. Once a second, Housekeeping
// counts what each port with a MAC limit holds and gives it that much room under its limit
// (LearnAllowances). Control plane only.
using FastBridge.Datapath.Fdb;
using FastBridge.Datapath.Forwarding;

namespace FastBridge.Datapath.Hosting;

public sealed partial class DatapathHost
{
    /// <summary>The policy of port <paramref name="id"/> now (the default for an id no port holds). Takes no lock.</summary>
    public PortPolicy PortPolicyOf(int id) => _loops[0].Ports.Policy.Of(id);

    /// <summary>Sets a present port's policy; every loop forwards by it from its next iteration. Throws KeyNotFoundException for an unknown port.</summary>
    public void SetPortPolicy(string name, PortPolicy policy)
    {
        lock (_control)
        {
            int id = RequirePresent(name);
            if (policy.MaxLearned > 0)
            {
                AllowLearning([(id, policy.MaxLearned)]);
            }
            PublishPolicy(id, policy);
        }
    }

    /// <summary>Puts a port a policy took down (PolicyShutdown) back into forwarding; false if no policy had taken it down.</summary>
    public bool EnablePort(string name)
    {
        lock (_control)
        {
            int id = RequirePresent(name);
            bool enabled = States.IsFailed(id) && States.Errno(id) < 0 && States.ClearFailure(id);
            SyncMirror(); // its entries back in the fast path now, not at the next tick
            return enabled;
        }
    }

    /// <summary>Told of each MAC flap (MacFlapDetector) off the poll threads, once a second at most.</summary>
    public Action<MacFlap>? MacFlapped { get; init; }

    /// <summary>MAC flaps reported onto port <paramref name="id"/> since start. Any thread.</summary>
    public long MacFlapsOf(int id) => _flaps.FlapsOf(id);

    private void DetectMacFlaps(uint now)
    {
        foreach (MacFlap flap in _flaps.Tick(_loops, _loops[0].Ports, now))
        {
            MacFlapped?.Invoke(flap);
        }
    }

    /// <summary>Gives a removed port's id the default policy again. Under the control lock.</summary>
    private void ForgetPolicy(int id) => PublishPolicy(id, PortPolicy.Default);

    private void PublishPolicy(int id, PortPolicy policy)
    {
        foreach (PollLoop loop in _loops)
        {
            loop.Publish(loop.Ports.WithPolicy(id, policy));
        }
        SyncMirror(); // the fast path follows the new policy now, not at the next tick
    }

    /// <summary>Housekeeping's part: room under its limit for each present port that has one, from what it holds now.</summary>
    private void RefreshLearnAllowances()
    {
        PortSet ports = _loops[0].Ports;
        List<(int, int)>? limited = null;
        for (int i = 0; i < ports.Count; i++)
        {
            int id = ports.IdAt(i);
            if (ports.Policy.Of(id).MaxLearned is > 0 and int limit)
            {
                (limited ??= []).Add((id, limit));
            }
        }
        if (limited is not null)
        {
            AllowLearning(limited);
        }
    }

    /// <summary>Sets each port's room to its limit less what it holds, reading the grants taken before counting (LearnAllowances says why).</summary>
    private void AllowLearning(IReadOnlyList<(int Id, int Limit)> ports)
    {
        long[] before = [.. ports.Select(p => States.Learning.Granted(p.Id))];
        int[] learned = CountLearned();
        for (int i = 0; i < ports.Count; i++)
        {
            States.Learning.Allow(ports[i].Id, before[i], ports[i].Limit - learned[ports[i].Id]);
        }
    }

    /// <summary>Dynamic entries per port id; entries learned while this counts may be counted or not, LearnAllowances allows for both.</summary>
    private int[] CountLearned()
    {
        var entries = new List<FdbEntry>();
        Fdb.CopyTo(entries);
        var learned = new int[_maxPorts];
        foreach (FdbEntry entry in entries.Where(e => !e.IsStatic && e.Port < _maxPorts))
        {
            learned[entry.Port]++;
        }
        return learned;
    }
}
