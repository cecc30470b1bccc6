// The FDB by VLAN, for a VLAN-aware bridge: flushing one VLAN's entries (a port leaving a VLAN, `fdb flush
// --vlan`) and counting entries per VLAN for the metrics. A per-VLAN flush walks the table and removes entry by
// entry (no generation per VLAN: 4094 of them per port would not fit the value word); it is a control-plane
// operation, rare and off the datapath. Control-plane threads only, under the lock.
namespace FastBridge.Datapath.Fdb;

public sealed partial class FdbTable
{
    /// <summary>
    /// Removes the dynamic entries of <paramref name="vlan"/> (with <paramref name="withStatic"/>, static ones too),
    /// on <paramref name="port"/> only unless it is -1; returns how many.
    /// </summary>
    public int FlushVlan(ushort vlan, int port = -1, bool withStatic = false)
    {
        lock (_control)
        {
            FdbSlots slots = _slots;
            int removed = 0;
            for (int slot = 0; slot < slots.SlotCount; slot++)
            {
                while (slots.TryGetLive(slot, out ulong key, out FdbValue value) && slots.IsCurrent(value)
                    && FdbKey.VlanId(key) == vlan && (port < 0 || value.Port == port) && (withStatic || !value.IsStatic))
                {
                    if (slots.TryKill(slot, value))
                    {
                        removed++;
                        break;
                    }
                }
            }
            if (slots.Tombstones > slots.SlotCount / 4)
            {
                Rebuild(slots, default(KeepAll));
            }
            return removed;
        }
    }

    /// <summary>Adds the number of live entries of each VLAN id to <paramref name="counts"/> (4096 long, by VLAN id).</summary>
    public void CountByVlan(Span<int> counts)
    {
        lock (_control)
        {
            FdbSlots slots = _slots;
            for (int slot = 0; slot < slots.SlotCount; slot++)
            {
                if (slots.TryGetLive(slot, out ulong key, out FdbValue value) && slots.IsCurrent(value))
                {
                    counts[FdbKey.VlanId(key)]++;
                }
            }
        }
    }
}
