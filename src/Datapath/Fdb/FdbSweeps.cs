// The predicates of the control-plane sweeps (Age, FlushPort, FlushAll, a plain rebuild) as structs,
// so FdbTable.Sweep is specialised and the test inlined per predicate. Control-plane threads only.
namespace FastBridge.Datapath.Fdb;

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

internal readonly struct DynamicOnPort(int port) : IFdbSweep
{
    public bool ShouldRemove(FdbValue value) => !value.IsStatic && value.Port == port;
}

internal readonly struct AnyDynamic : IFdbSweep
{
    public bool ShouldRemove(FdbValue value) => !value.IsStatic;
}

/// <summary>Removes nothing: a rebuild that only drops tombstones.</summary>
internal readonly struct KeepAll : IFdbSweep
{
    public bool ShouldRemove(FdbValue value) => false;
}
