// Whether a lookup or a learn must compare generations: a struct parameter read once per burst from
// FdbSlots.MayHoldFlushed, so the JIT compiles the steady state (nothing flushed since the ager's last
// pass) without the compare, and the datapath pays for flush by port only in the second after a flush.
namespace FastBridge.Datapath.Fdb;

internal interface IFlushedEntries
{
    bool MayExist { get; }
}

/// <summary>No flushed entry is left in the storage: every present entry is current.</summary>
internal readonly struct NoneFlushed : IFlushedEntries
{
    public bool MayExist => false;
}

/// <summary>A flush since the ager's last whole pass: compare each entry's generation.</summary>
internal readonly struct SomeFlushed : IFlushedEntries
{
    public bool MayExist => true;
}
