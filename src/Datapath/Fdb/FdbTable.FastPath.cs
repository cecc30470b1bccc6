// What the XDP fast path needs from the FDB: moving an entry's stamp forward to a second the fast path
// saw its station in, so a station whose frames all cross in the kernel does not age out. Control-plane
// threads only (FdbMirror, before the ager's tick), under the lock so no rebuild swaps the storage meanwhile.
namespace FastBridge.Datapath.Fdb;

public sealed partial class FdbTable
{
    /// <summary>
    /// Sets a dynamic entry's last-seen stamp to <paramref name="lastSeen"/> if the entry is present on
    /// <paramref name="port"/> and its stamp is older; false otherwise (gone, moved, static, or newer already).
    /// A learner racing it either lands first (then this one judges its value) or fails its own CAS and retries.
    /// </summary>
    public bool Touch(ulong key, int port, uint lastSeen)
    {
        lock (_control)
        {
            FdbSlots slots = _slots;
            int slot = slots.Find(key, FdbHash.Hash(key), out FdbValue value);
            while (slot >= 0 && value.IsPresent && slots.IsCurrent(value) && !value.IsStatic && value.Port == port
                && (int)(lastSeen - value.LastSeen) > 0)
            {
                FdbValue seen = slots.Restamp(slot, value, lastSeen);
                if (seen == value)
                {
                    return true;
                }
                value = seen;
            }
            return false;
        }
    }
}
