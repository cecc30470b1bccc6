namespace FastBridge.Tests.Datapath.Fdb;

/// <summary>Threads racing on one FDB, with assertions counted on the threads and reported on the test's.</summary>
internal static class ConcurrentThreads
{
    /// <summary>Runs body(0 .. count-1) on as many threads and waits for all; an exception is a failure.</summary>
    public static void Run(int count, Failures failures, Action<int> body)
    {
        var threads = new Thread[count];
        for (int t = 0; t < count; t++)
        {
            int id = t;
            threads[t] = new Thread(() =>
            {
                try
                {
                    body(id);
                }
                catch (Exception e)
                {
                    failures.Check(false, e.ToString());
                }
            });
            threads[t].Start();
        }
        foreach (Thread thread in threads)
        {
            thread.Join();
        }
    }

    /// <summary>Runs learner(0 .. learners-1) and control, each on its own thread, and waits for all.</summary>
    public static void Run(int learners, Action<int> learner, Action control, Failures failures) =>
        Run(learners + 1, failures, t =>
        {
            if (t == learners)
            {
                control();
            }
            else
            {
                learner(t);
            }
        });

    /// <summary>Assertions from worker threads: counted there, reported on the test thread.</summary>
    public sealed class Failures
    {
        private long _count;
        private string? _first;

        public void Check(bool condition, string what)
        {
            if (!condition && Interlocked.Increment(ref _count) == 1)
            {
                Volatile.Write(ref _first, what);
            }
        }

        public void AssertNone() => Assert.True(Interlocked.Read(ref _count) == 0, $"{_count} failures, first: {_first}");
    }
}
