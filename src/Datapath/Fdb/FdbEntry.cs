// One row of an FDB snapshot (FdbTable.CopyTo) for `fdb show` and the API; built on control-plane
// threads only, never on the datapath.
namespace FastBridge.Datapath.Fdb;

/// <param name="Key">The FdbKey (VLAN id and MAC).</param>
/// <param name="Port">The port the address lives behind.</param>
/// <param name="IsStatic">Static entries never age and are never moved by learning.</param>
/// <param name="LastSeen">Coarse seconds of the caller's monotonic clock; 0 for static entries.</param>
public readonly record struct FdbEntry(ulong Key, int Port, bool IsStatic, uint LastSeen);
