using System.Diagnostics;
using FastBridge.Datapath.Fdb;

namespace FastBridge.Tests.Datapath.Fdb;

public sealed class FdbTableConcurrencyTests
{
    // The races below: learner threads, each with keys of its own and keys all of them share, against one control thread.
    private const int Learners = 3;
    private const int OwnKeys = 400;
    private const int SharedKeys = 200;

    [Fact]
    public void Learn_SameNewKeysOnManyThreadsAtOnce_ExactlyOneEntryEach()
    {
        const int Threads = 4;
        const int Keys = 2000;
        for (int round = 0; round < 5; round++)
        {
            var table = new FdbTable(2 * Keys);
            using var barrier = new Barrier(Threads);
            long learned = 0;
            var failures = new ConcurrentThreads.Failures();

            ConcurrentThreads.Run(Threads, failures, t =>
            {
                barrier.SignalAndWait();
                for (uint k = 1; k <= Keys; k++)
                {
                    LearnOutcome outcome = table.Learn(Key(k), t, 100);
                    if (outcome == LearnOutcome.Learned)
                    {
                        Interlocked.Increment(ref learned);
                    }
                    failures.Check(outcome is not (LearnOutcome.TableFull or LearnOutcome.Static), $"key {k}: {outcome}");
                }
            });

            failures.AssertNone();
            Assert.Equal(Keys, learned); // exactly one thread won each key
            Assert.Equal(Keys, table.Count);
            List<FdbEntry> entries = table.Snapshot();
            Assert.Equal(Keys, entries.Count);
            Assert.Equal(Keys, entries.Select(e => e.Key).Distinct().Count());
            Assert.All(entries, e => Assert.InRange(e.Port, 0, Threads - 1));
        }

        static ulong Key(uint k) => FdbKey.Make(0x0200_0000_0000UL | k, 1);
    }

    [Fact]
    public void LearnLookupAgeRemove_ConcurrentForTwoSeconds_NoLossNoDuplicatesNoTornValues()
    {
        const int StaticKeys = 16;
        const int ChurnPerRound = 256;
        const uint Start = 10_000_000;
        const uint ChurnAgeing = 1_000_000; // learners stamp "now", so only the churn (stamped 2M back) ages out
        var table = new FdbTable(4096);     // 8192 slots: a rebuild every ~2048 tombstones, i.e. every ~8 rounds
        for (int i = 0; i < StaticKeys; i++)
        {
            Assert.True(table.AddStatic(StaticKey(i), 100 + i));
        }
        long clock = Start;
        bool controlDone = false;
        long learnerPasses = 0;
        var failures = new ConcurrentThreads.Failures();

        ConcurrentThreads.Run(Learners, Learner, Control, failures);

        failures.AssertNone();
        List<FdbEntry> entries = table.Snapshot();
        Assert.Equal(entries.Count, entries.Select(e => e.Key).Distinct().Count());
        Assert.Equal(table.Count, entries.Count);
        Assert.Equal(Learners * OwnKeys + SharedKeys + StaticKeys, entries.Count);
        var byKey = entries.ToDictionary(e => e.Key);
        for (int t = 0; t < Learners; t++)
        {
            for (int k = 0; k < OwnKeys; k++)
            {
                Assert.Equal(t + 1, byKey[OwnKey(t, k)].Port);
            }
        }
        for (int k = 0; k < SharedKeys; k++)
        {
            Assert.InRange(byKey[SharedKey(k)].Port, 1, Learners);
        }
        for (int i = 0; i < StaticKeys; i++)
        {
            Assert.Equal(new FdbEntry(StaticKey(i), 100 + i, true, 0), byKey[StaticKey(i)]);
        }
        Assert.All(entries.Where(e => !e.IsStatic), e => Assert.InRange(e.LastSeen, Start, (uint)clock));
        Assert.True(table.Rebuilds > 0, "the run never reclaimed tombstones, so it never raced a rebuild");
        Assert.True(learnerPasses > Learners, "learners barely ran");

        void Learner(int t)
        {
            int port = t + 1;
            var random = new Random(t);
            ulong[] batch = new ulong[48];
            int[] ports = new int[batch.Length];
            var counts = new FdbLearnCounts();
            while (true)
            {
                // One more pass after the control thread stops: the "next frame" that re-learns anything a
                // rebuild dropped.
                bool last = Volatile.Read(ref controlDone);
                uint now = (uint)Volatile.Read(ref clock);
                for (int k = 0; k < OwnKeys; k++)
                {
                    LearnOutcome outcome = table.Learn(OwnKey(t, k), port, now);
                    failures.Check(outcome is not (LearnOutcome.TableFull or LearnOutcome.Static or LearnOutcome.Moved), $"own key: {outcome}");
                }
                for (int k = 0; k < SharedKeys; k += batch.Length)
                {
                    int n = Math.Min(batch.Length, SharedKeys - k);
                    for (int i = 0; i < n; i++)
                    {
                        batch[i] = SharedKey(k + i);
                    }
                    table.LearnBatch(batch.AsSpan(0, n), port, now, ref counts);
                }
                failures.Check(counts.Full == 0, "shared key refused as full");
                for (int i = 0; i < StaticKeys; i++)
                {
                    failures.Check(table.Learn(StaticKey(i), port, now) == LearnOutcome.Static, "static key not reported static");
                }
                for (int i = 0; i < batch.Length; i++)
                {
                    batch[i] = (i % 3) switch
                    {
                        0 => StaticKey(random.Next(StaticKeys)),
                        1 => OwnKey(t, random.Next(OwnKeys)),
                        _ => SharedKey(random.Next(SharedKeys)),
                    };
                }
                table.LookupBatch(batch, ports);
                for (int i = 0; i < batch.Length; i++)
                {
                    int single = table.Lookup(batch[i]);
                    switch (i % 3)
                    {
                        case 0:
                            int expected = 100 + (int)(batch[i] & 0xFF);
                            failures.Check(ports[i] == expected && single == expected, "static entry missed or wrong");
                            break;
                        case 1:
                            failures.Check(ports[i] is FdbTable.Miss || ports[i] == port, "own key on a port nobody wrote");
                            break;
                        default:
                            failures.Check(ports[i] is FdbTable.Miss or (>= 1 and <= Learners), "shared key on a port nobody wrote");
                            break;
                    }
                }
                Interlocked.Increment(ref learnerPasses);
                if (last)
                {
                    return;
                }
            }
        }

        void Control()
        {
            var ager = new FdbAger(table);
            var entries = new List<FdbEntry>();
            var seen = new HashSet<ulong>();
            var watch = Stopwatch.StartNew();
            uint churn = 0;
            for (int round = 0; watch.Elapsed < TimeSpan.FromSeconds(2); round++)
            {
                uint now = (uint)Interlocked.Increment(ref clock);
                uint first = churn;
                for (int i = 0; i < ChurnPerRound; i++)
                {
                    failures.Check(table.AddDynamic(ChurnKey(churn++), 7, now - 2 * ChurnAgeing), "churn add refused");
                }
                for (uint k = first; k < churn; k += 2)
                {
                    failures.Check(table.Remove(ChurnKey(k)), "churn remove missed");
                }
                failures.Check(ager.Tick(now, ChurnAgeing) == ChurnPerRound / 2, "age removed the wrong number");
                if (round % 16 == 0)
                {
                    table.CopyTo(entries);
                    seen.Clear();
                    foreach (FdbEntry entry in entries)
                    {
                        failures.Check(seen.Add(entry.Key), "duplicate key in a snapshot");
                        failures.Check(entry.Port != 7, "churn entry survived ageing");
                    }
                }
            }
            Volatile.Write(ref controlDone, true);
        }
    }

    [Fact]
    public void FlushPort_WhileLearnersLearnAndMove_NothingResurfacesAndCountsDoNotDrift()
    {
        const uint Now = 1000;
        var table = new FdbTable(4096);
        bool controlDone = false;
        long flushes = 0;
        long passesWithoutFlushed = 0;
        var failures = new ConcurrentThreads.Failures();

        ConcurrentThreads.Run(Learners, Learner, Control, failures);

        failures.AssertNone();
        new FdbAger(table).Tick(Now, 300); // reclaims what the last flushes left
        List<FdbEntry> entries = table.Snapshot();
        Assert.Equal(Learners * OwnKeys + SharedKeys, entries.Count);
        Assert.Equal(entries.Count, table.Count);
        Assert.Equal(entries.Count, table.SlotsInUse);
        Assert.Equal(entries.Count, entries.Select(e => e.Key).Distinct().Count());
        Assert.True(Interlocked.Read(ref flushes) > 100, "the control thread barely flushed");
        Assert.True(passesWithoutFlushed > 10, "learners never ran without comparing generations");

        void Learner(int t)
        {
            int port = t + 1;
            ulong[] shared = [.. Enumerable.Range(0, SharedKeys).Select(SharedKey)];
            var counts = new FdbLearnCounts();
            while (true)
            {
                bool last = Volatile.Read(ref controlDone); // one more pass after the flushes stop
                for (int k = 0; k < OwnKeys; k++)
                {
                    table.Learn(OwnKey(t, k), port, Now);
                    int found = table.Lookup(OwnKey(t, k));
                    failures.Check(found == FdbTable.Miss || found == port, "own key on a port nobody wrote");
                }
                table.LearnBatch(shared, port, Now, ref counts); // shared keys move between the learners' ports
                if (last)
                {
                    return;
                }
            }
        }

        void Control()
        {
            var random = new Random(7);
            var ager = new FdbAger(table, ticksPerPass: 4);
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < TimeSpan.FromSeconds(1))
            {
                // Mostly whole passes between flushes, so learners also race flushes on the path that does
                // not compare generations (MayHoldFlushed cleared).
                if (random.Next(8) == 0)
                {
                    int flushed = random.Next(8) == 0 ? table.FlushAll() : table.FlushPort(1 + random.Next(Learners), withStatic: random.Next(2) == 0);
                    failures.Check(flushed >= 0 && table.Count <= Learners * OwnKeys + SharedKeys, "a count out of range");
                    Interlocked.Increment(ref flushes);
                }
                ager.Tick(Now, 300);
                passesWithoutFlushed += table.MayHoldFlushed ? 0 : 1;
            }
            Volatile.Write(ref controlDone, true);
        }
    }

    private static ulong OwnKey(int thread, int k) => FdbKey.Make(0x0200_0000_0000UL | ((ulong)thread << 16) | (uint)k, 5);

    private static ulong SharedKey(int k) => FdbKey.Make(0x0400_0000_0000UL | (uint)k, 5);

    private static ulong StaticKey(int i) => FdbKey.Make(0x0800_0000_0000UL | (uint)i, 5);

    private static ulong ChurnKey(uint i) => FdbKey.Make(0x0A00_0000_0000UL | i, 5);
}
