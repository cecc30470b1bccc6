// The bpf(2) map commands the XDP fast path needs beyond the XSKMAP: create a map of any type, and
// update, look up and delete elements through pointers to keys and values of any size. Control-plane
// threads only (FastPathMaps); the XDP program reaches the same maps from inside the kernel.
using System.Globalization;

namespace FastBridge.Datapath.Interop;

internal static unsafe partial class Bpf
{
    internal const int MapLookupElem = 1;

    // Map types (enum bpf_map_type).
    internal const uint MapTypeHash = 1, MapTypeArray = 2, MapTypePercpuArray = 6, MapTypeDevmap = 14;

    /// <summary>BPF_F_NO_PREALLOC: a hash map takes memory per element as it fills, not all of it at creation.</summary>
    internal const uint MapFlagNoPrealloc = 1;

    /// <summary>BPF_F_MMAPABLE: an array whose values user space maps (mmap on the map fd) and reads and writes in place.</summary>
    internal const uint MapFlagMmapable = 1 << 10;

    // Helpers the fast-path program calls (enum bpf_func_id).
    internal const int FuncMapLookupElem = 1, FuncKtimeGetCoarseNs = 160, FuncXdpGetBuffLen = 188;

    // Offsets in struct xdp_md: data, data_end and ingress_ifindex (rx_queue_index is XdpMdRxQueueIndex).
    internal const short XdpMdData = 0, XdpMdDataEnd = 4, XdpMdIngressIfindex = 12;

    /// <summary>A map of any type; the map fd or -errno.</summary>
    internal static int CreateMap(uint type, uint keySize, uint valueSize, uint maxEntries, string name, uint flags = 0)
    {
        var attr = new MapCreateAttr { MapType = type, KeySize = keySize, ValueSize = valueSize, MaxEntries = maxEntries, MapFlags = flags };
        CopyName(name, attr.MapName);
        return Call(MapCreate, &attr);
    }

    /// <summary>map[*key] = *value; 0 or -errno.</summary>
    internal static int UpdateElem(int mapFd, void* key, void* value)
    {
        var attr = new MapElemAttr { MapFd = (uint)mapFd, Key = (ulong)key, Value = (ulong)value, Flags = Any };
        return Call(MapUpdateElem, &attr);
    }

    /// <summary>*value = map[*key]; 0, or -ENOENT when absent, or -errno. A per-CPU map fills one value per possible CPU.</summary>
    internal static int LookupElem(int mapFd, void* key, void* value)
    {
        var attr = new MapElemAttr { MapFd = (uint)mapFd, Key = (ulong)key, Value = (ulong)value };
        return Call(MapLookupElem, &attr);
    }

    /// <summary>delete map[*key]; 0 or -errno (-ENOENT when absent).</summary>
    internal static int DeleteElem(int mapFd, void* key)
    {
        var attr = new MapElemAttr { MapFd = (uint)mapFd, Key = (ulong)key };
        return Call(MapDeleteElem, &attr);
    }

    /// <summary>CPUs the kernel may ever bring up (/sys/devices/system/cpu/possible, e.g. "0-1"): a per-CPU map holds a value for each.</summary>
    internal static int PossibleCpus()
    {
        string text = File.ReadAllText("/sys/devices/system/cpu/possible").Trim();
        int highest = 0;
        foreach (string range in text.Split(','))
        {
            string last = range.Split('-')[^1];
            highest = Math.Max(highest, int.Parse(last, CultureInfo.InvariantCulture));
        }
        return highest + 1;
    }
}
