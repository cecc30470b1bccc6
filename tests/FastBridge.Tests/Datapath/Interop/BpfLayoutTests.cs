// Pins the bpf(2) mirrors in Interop/Bpf.cs against hard-coded values and the kernel headers (LayoutPins).
using System.Runtime.InteropServices;
using Tmds.Linux;
using static FastBridge.Datapath.Interop.Bpf;
using static FastBridge.Tests.Datapath.Interop.LayoutPins;

namespace FastBridge.Tests.Datapath.Interop;

public sealed class BpfLayoutTests
{
    // name, C expression, C# value, expected value.
    private static readonly (string Name, string C, long Actual, long Expected)[] s_pins =
    [
        ("sys_bpf", "SYS_bpf", SysBpf, 321),
        ("cmd_map_create", "BPF_MAP_CREATE", MapCreate, 0),
        ("cmd_map_update", "BPF_MAP_UPDATE_ELEM", MapUpdateElem, 2),
        ("cmd_map_delete", "BPF_MAP_DELETE_ELEM", MapDeleteElem, 3),
        ("cmd_prog_load", "BPF_PROG_LOAD", ProgLoad, 5),
        ("cmd_info_by_fd", "BPF_OBJ_GET_INFO_BY_FD", ObjGetInfoByFd, 15),
        ("cmd_link_create", "BPF_LINK_CREATE", LinkCreate, 28),
        ("cmd_prog_test_run", "BPF_PROG_TEST_RUN", ProgTestRun, 10),
        ("map_type_xskmap", "BPF_MAP_TYPE_XSKMAP", MapTypeXskmap, 17),
        ("map_type_hash", "BPF_MAP_TYPE_HASH", MapTypeHash, 1),
        ("map_type_array", "BPF_MAP_TYPE_ARRAY", MapTypeArray, 2),
        ("map_type_percpu_array", "BPF_MAP_TYPE_PERCPU_ARRAY", MapTypePercpuArray, 6),
        ("map_type_devmap", "BPF_MAP_TYPE_DEVMAP", MapTypeDevmap, 14),
        ("map_flag_no_prealloc", "BPF_F_NO_PREALLOC", MapFlagNoPrealloc, 1),
        ("map_flag_mmapable", "BPF_F_MMAPABLE", MapFlagMmapable, 1024),
        ("prog_type_xdp", "BPF_PROG_TYPE_XDP", ProgTypeXdp, 6),
        ("attach_xdp", "BPF_XDP", AttachTypeXdp, 37),
        ("bpf_any", "BPF_ANY", (long)Any, 0),
        ("prog_flag_xdp_frags", "BPF_F_XDP_HAS_FRAGS", ProgFlagXdpHasFrags, 32),
        ("xdp_flags_skb", "XDP_FLAGS_SKB_MODE", XdpFlagsSkbMode, 2),
        ("xdp_flags_drv", "XDP_FLAGS_DRV_MODE", XdpFlagsDrvMode, 4),
        ("xdp_aborted", "XDP_ABORTED", XdpAborted, 0),
        ("xdp_drop", "XDP_DROP", XdpDrop, 1),
        ("xdp_pass", "XDP_PASS", XdpPass, 2),
        ("xdp_redirect", "XDP_REDIRECT", XdpRedirect, 4),
        ("off_xdp_md_rxq", "offsetof(struct xdp_md, rx_queue_index)", XdpMdRxQueueIndex, 16),
        ("func_redirect_map", "BPF_FUNC_redirect_map", FuncRedirectMap, 51),
        ("func_map_lookup_elem", "BPF_FUNC_map_lookup_elem", FuncMapLookupElem, 1),
        ("func_ktime_get_coarse_ns", "BPF_FUNC_ktime_get_coarse_ns", FuncKtimeGetCoarseNs, 160),
        ("func_xdp_get_buff_len", "BPF_FUNC_xdp_get_buff_len", FuncXdpGetBuffLen, 188),
        ("pseudo_map_fd", "BPF_PSEUDO_MAP_FD", PseudoMapFd, 1),
        ("obj_name_len", "BPF_OBJ_NAME_LEN", ObjNameLength, 16),
        ("eperm", "EPERM", LibC.EPERM, 1),
        ("eacces", "EACCES", LibC.EACCES, 13),
        ("ebusy", "EBUSY", LibC.EBUSY, 16),
        ("eexist", "EEXIST", LibC.EEXIST, 17),
        ("sizeof_insn", "sizeof(struct bpf_insn)", sizeof(ulong), 8),
        ("off_map_type", "offsetof(union bpf_attr, map_type)", Off<MapCreateAttr>("MapType"), 0),
        ("off_key_size", "offsetof(union bpf_attr, key_size)", Off<MapCreateAttr>("KeySize"), 4),
        ("off_value_size", "offsetof(union bpf_attr, value_size)", Off<MapCreateAttr>("ValueSize"), 8),
        ("off_max_entries", "offsetof(union bpf_attr, max_entries)", Off<MapCreateAttr>("MaxEntries"), 12),
        ("off_map_flags", "offsetof(union bpf_attr, map_flags)", Off<MapCreateAttr>("MapFlags"), 16),
        ("off_map_name", "offsetof(union bpf_attr, map_name)", Off<MapCreateAttr>("MapName"), 28),
        ("end_map_create", "offsetofend(union bpf_attr, map_extra)", Marshal.SizeOf<MapCreateAttr>(), 72),
        ("off_elem_map_fd", "offsetof(union bpf_attr, map_fd)", Off<MapElemAttr>("MapFd"), 0),
        ("off_elem_key", "offsetof(union bpf_attr, key)", Off<MapElemAttr>("Key"), 8),
        ("off_elem_value", "offsetof(union bpf_attr, value)", Off<MapElemAttr>("Value"), 16),
        ("off_elem_flags", "offsetof(union bpf_attr, flags)", Off<MapElemAttr>("Flags"), 24),
        ("end_elem", "offsetofend(union bpf_attr, flags)", Marshal.SizeOf<MapElemAttr>(), 32),
        ("off_prog_type", "offsetof(union bpf_attr, prog_type)", Off<ProgLoadAttr>("ProgType"), 0),
        ("off_insn_cnt", "offsetof(union bpf_attr, insn_cnt)", Off<ProgLoadAttr>("InsnCnt"), 4),
        ("off_insns", "offsetof(union bpf_attr, insns)", Off<ProgLoadAttr>("Insns"), 8),
        ("off_license", "offsetof(union bpf_attr, license)", Off<ProgLoadAttr>("License"), 16),
        ("off_log_level", "offsetof(union bpf_attr, log_level)", Off<ProgLoadAttr>("LogLevel"), 24),
        ("off_log_size", "offsetof(union bpf_attr, log_size)", Off<ProgLoadAttr>("LogSize"), 28),
        ("off_log_buf", "offsetof(union bpf_attr, log_buf)", Off<ProgLoadAttr>("LogBuf"), 32),
        ("off_kern_version", "offsetof(union bpf_attr, kern_version)", Off<ProgLoadAttr>("KernVersion"), 40),
        ("off_prog_flags", "offsetof(union bpf_attr, prog_flags)", Off<ProgLoadAttr>("ProgFlags"), 44),
        ("off_prog_name", "offsetof(union bpf_attr, prog_name)", Off<ProgLoadAttr>("ProgName"), 48),
        ("off_prog_ifindex", "offsetof(union bpf_attr, prog_ifindex)", Off<ProgLoadAttr>("ProgIfindex"), 64),
        ("off_expected_attach", "offsetof(union bpf_attr, expected_attach_type)", Off<ProgLoadAttr>("ExpectedAttachType"), 68),
        ("end_prog_load", "offsetofend(union bpf_attr, expected_attach_type)", Marshal.SizeOf<ProgLoadAttr>(), 72),
        ("off_link_prog_fd", "offsetof(union bpf_attr, link_create.prog_fd)", Off<LinkCreateAttr>("ProgFd"), 0),
        ("off_link_ifindex", "offsetof(union bpf_attr, link_create.target_ifindex)", Off<LinkCreateAttr>("TargetIfindex"), 4),
        ("off_link_attach_type", "offsetof(union bpf_attr, link_create.attach_type)", Off<LinkCreateAttr>("AttachType"), 8),
        ("off_link_flags", "offsetof(union bpf_attr, link_create.flags)", Off<LinkCreateAttr>("Flags"), 12),
        ("end_link", "offsetofend(union bpf_attr, link_create.flags)", Marshal.SizeOf<LinkCreateAttr>(), 16),
        ("off_info_fd", "offsetof(union bpf_attr, info.bpf_fd)", Off<InfoByFdAttr>("BpfFd"), 0),
        ("off_info_len", "offsetof(union bpf_attr, info.info_len)", Off<InfoByFdAttr>("InfoLen"), 4),
        ("off_info_info", "offsetof(union bpf_attr, info.info)", Off<InfoByFdAttr>("Info"), 8),
        ("end_info", "offsetofend(union bpf_attr, info.info)", Marshal.SizeOf<InfoByFdAttr>(), 16),
        ("off_test_prog_fd", "offsetof(union bpf_attr, test.prog_fd)", Off<TestRunAttr>("ProgFd"), 0),
        ("off_test_retval", "offsetof(union bpf_attr, test.retval)", Off<TestRunAttr>("Retval"), 4),
        ("off_test_size_in", "offsetof(union bpf_attr, test.data_size_in)", Off<TestRunAttr>("DataSizeIn"), 8),
        ("off_test_size_out", "offsetof(union bpf_attr, test.data_size_out)", Off<TestRunAttr>("DataSizeOut"), 12),
        ("off_test_data_in", "offsetof(union bpf_attr, test.data_in)", Off<TestRunAttr>("DataIn"), 16),
        ("off_test_data_out", "offsetof(union bpf_attr, test.data_out)", Off<TestRunAttr>("DataOut"), 24),
        ("off_test_repeat", "offsetof(union bpf_attr, test.repeat)", Off<TestRunAttr>("Repeat"), 32),
        ("off_test_duration", "offsetof(union bpf_attr, test.duration)", Off<TestRunAttr>("Duration"), 36),
        ("off_test_ctx_size_in", "offsetof(union bpf_attr, test.ctx_size_in)", Off<TestRunAttr>("CtxSizeIn"), 40),
        ("off_test_ctx_size_out", "offsetof(union bpf_attr, test.ctx_size_out)", Off<TestRunAttr>("CtxSizeOut"), 44),
        ("off_test_ctx_in", "offsetof(union bpf_attr, test.ctx_in)", Off<TestRunAttr>("CtxIn"), 48),
        ("off_test_ctx_out", "offsetof(union bpf_attr, test.ctx_out)", Off<TestRunAttr>("CtxOut"), 56),
        ("end_test", "offsetofend(union bpf_attr, test.ctx_out)", Marshal.SizeOf<TestRunAttr>(), 64),
        ("sizeof_xdp_md", "sizeof(struct xdp_md)", 6 * sizeof(uint), 24),
        ("off_prog_info_type", "offsetof(struct bpf_prog_info, type)", Off<ProgInfoHead>("Type"), 0),
        ("off_prog_info_id", "offsetof(struct bpf_prog_info, id)", Off<ProgInfoHead>("Id"), 4),
    ];

    [Fact]
    public void Mirrors_HardCodedValues_Match() => AssertHardCoded(s_pins);

    [Fact]
    public void Mirrors_KernelHeaders_Match() => AssertKernelHeaders(LinuxHeaders, s_pins);
}
