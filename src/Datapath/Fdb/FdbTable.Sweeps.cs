// The control plane's sweeps over the whole FDB: ageing a slice of groups at a time (for FdbAger),
// reclaiming flushed entries as it goes, and the rebuild that copies the survivors into a fresh storage
// generation when tombstones pile up (FdbTable.cs states why that is safe). The predicates are structs,
// so Sweep is specialised and the test inlined per predicate. Control-plane threads only, under the lock.
using System.Numerics;

namespace FastBridge.Datapath.Fdb;

public sealed partial class FdbTable
{
    /// <summary>
    /// Removes, from the groups [firstGroup, firstGroup + groups), dynamic entries with now - LastSeen >= ageingTime
    /// (a LastSeen after now is age 0), and reclaims the slots of flushed entries; returns how many it aged
    /// out. Holds the lock for this slice only. FdbAger steps through the table with it, group 0 to the
    /// last, again and again: a pass that began after the last flush leaves no flushed entry behind.
    /// </summary>
    internal int Age(int firstGroup, int groups, uint now, uint ageingTime)
    {
        lock (_control)
        {
            if (firstGroup == 0)
            {
                _agerPassStart = (_slots, _flushes);
            }
            int aged = Sweep(_slots, firstGroup, groups, new AgedOut(now, ageingTime));
            if (firstGroup + groups == _groupCount && _agerPassStart == (_slots, _flushes))
            {
                _slots.MayHoldFlushed = false;
            }
            return aged;
        }
    }

    // Under the lock. Removes, from the groups [firstGroup, firstGroup + groups), the entries sweep picks
    // (returns how many) and, silently, the stale ones.
    private int Sweep<TSweep>(FdbSlots slots, int firstGroup, int groups, TSweep sweep) where TSweep : struct, IFdbSweep
    {
        int removed = 0;
        for (int group = firstGroup; group < firstGroup + groups; group++)
        {
            for (uint published = slots.Published(group); published != 0; published &= published - 1)
            {
                int slot = group * FdbSlots.GroupSize + BitOperations.TrailingZeroCount(published);
                while (slots.TryGetLive(slot, out _, out FdbValue value))
                {
                    bool stale = !slots.IsCurrent(value);
                    if (!stale && !sweep.ShouldRemove(value))
                    {
                        break;
                    }
                    if (slots.Tombstones >= slots.SlotCount / 4)
                    {
                        // Too many tombstones: finish this sweep as a copy of the survivors of the whole table instead.
                        return removed + Rebuild(slots, sweep);
                    }
                    if (slots.TryKill(slot, value))
                    {
                        removed += stale ? 0 : 1;
                        break;
                    }
                    // A learner refreshed, moved or re-learned it meanwhile: judge the new value.
                }
            }
        }
        return removed;
    }

    // Under the lock, before a flush bumps generations: rebuilds first if a generation could otherwise
    // come round to one that stale entries still carry (see the header), counts the flush, and tells the
    // datapath to compare generations from now on.
    private FdbSlots BeforeFlush()
    {
        if (_flushesSinceRebuild == ushort.MaxValue)
        {
            Rebuild(_slots, default(KeepAll));
        }
        _flushesSinceRebuild++;
        _flushes++;
        _slots.MayHoldFlushed = true;
        return _slots;
    }

    // Under the lock. Copies the current entries sweep keeps into a fresh generation and publishes it;
    // returns how many current entries it left behind (stale ones are left behind uncounted).
    private int Rebuild<TSweep>(FdbSlots old, TSweep sweep) where TSweep : struct, IFdbSweep
    {
        var fresh = new FdbSlots(_groupCount, old.Generations.CopyGenerations());
        int dropped = 0;
        for (int slot = 0; slot < old.SlotCount; slot++)
        {
            if (!old.TryGetLive(slot, out ulong key, out FdbValue value) || !old.IsCurrent(value))
            {
                continue;
            }
            if (sweep.ShouldRemove(value))
            {
                dropped++;
            }
            else
            {
                fresh.PlaceFresh(key, value);
            }
        }
        Volatile.Write(ref _slots, fresh); // release: the fresh arrays are complete before anyone sees them
        Rebuilds++;
        _flushesSinceRebuild = 0;
        return dropped;
    }
}

internal interface IFdbSweep
{
    bool ShouldRemove(FdbValue value);
}

/// <summary>Dynamic entries not seen for ageingTime seconds.</summary>
internal readonly struct AgedOut(uint now, uint ageingTime) : IFdbSweep
{
    // Signed difference: a learner may stamp a second later than the ager's `now`, and that entry is
    // brand new, not 4 billion seconds old.
    public bool ShouldRemove(FdbValue value)
    {
        int age = (int)(now - value.LastSeen);
        return !value.IsStatic && age >= 0 && (uint)age >= ageingTime;
    }
}

/// <summary>Removes nothing: a rebuild that only drops tombstones and flushed entries.</summary>
internal readonly struct KeepAll : IFdbSweep
{
    public bool ShouldRemove(FdbValue value) => false;
}
