#!/usr/bin/env bash
# ovs.sh - run Open vSwitch's USERSPACE datapath (dpif-netdev + AF_XDP ports)
# as a switch under test for the end-to-end benchmark.
#
# Everything lives in a private run directory: database, sockets, pidfiles,
# logs. The system service (/var/run/openvswitch, /etc/openvswitch) is never
# used or touched.
#
# Usage:
#   ovs.sh start RUNDIR BRIDGE PMD_CPU_MASK PORT...   start OVS, add PORTs as afxdp
#   ovs.sh stop  RUNDIR                              stop it (idempotent)
#   ovs.sh fdb   RUNDIR BRIDGE                       print the MAC learning table
#
# Environment (optional):
#   OVS_XDP_MODES     xdp-mode values tried in order per port
#                     (default "native-with-zerocopy native generic")
#   OVS_PORT_TIMEOUT  seconds to wait for each port to come up (default 15)
#   OVS_STOP_TIMEOUT  seconds to wait after SIGTERM before SIGKILL (default 10)
#
# Files in RUNDIR:
#   conf.db, db.sock                 ovsdb database and its socket
#   ovsdb-server.{pid,ctl,log}       ovsdb-server pidfile / unixctl / log
#   ovs-vswitchd.{pid,ctl,log}       ovs-vswitchd pidfile / unixctl / log
#   ports                            PORTs added by start (one per line), used by stop
#   bridge                           BRIDGE name, used by stop for a leftover check
#
# Switch behaviour: a bridge with no controller is in fail-mode "standalone",
# so its only flow is "actions=NORMAL": a plain MAC-learning switch. We keep
# OVS's learning defaults (OVS 3.1, see ovs-vswitchd.conf.db(5), Bridge table):
#   other_config:mac-table-size  default 8192 entries (range 10..1,000,000).
#                                (It was 2048 in older OVS releases.)
#   other_config:mac-aging-time  default 300 s (range 15..3600 s).
#
# Notes / pitfalls (found on Debian 12, OVS 3.1.0, kernel 6.x, veth ports):
#  * Debian's ovs-vswitchd is built with AF_XDP (links libxdp + libbpf); the
#    "afxdp" type shows up in Open_vSwitch:iface_types. We check that.
#  * xdp-mode on veth: "native-with-zerocopy" is refused (veth has no
#    zero-copy AF_XDP), OVS sets the interface error column and ofport -1.
#    "native" works on veth (program shows as "xdp"/driver mode in
#    `ip -d link`); "generic" (xdpgeneric, skb mode) also works but is slower.
#  * veth native XDP: attaching a native XDP program to a veth enables NAPI on
#    its receive side, which is all that AF_XDP RX needs. The peer (the end
#    in the namespace) needs NO XDP program and no GRO for this: the traffic
#    generator's packets are ordinary skbs that veth_xmit hands to the XDP
#    side's NAPI ring. AF_XDP TX in copy mode goes through the normal
#    dev_direct_xmit -> veth_xmit skb path, so the peer does not need XDP either.
#    (Only XDP_REDIRECT *into* a veth via ndo_xdp_xmit needs the peer to have
#    XDP/NAPI; AF_XDP does not use that.)
#    The kernel refuses native XDP on a veth whose rx queue count is lower
#    than its peer's tx queue count ("XDP expects number of rx queues not less
#    than peer tx queues"); a default veth pair (1 rx / 1 tx) is fine, and
#    with `ip link add ... numtxqueues N numrxqueues N` keep them equal.
#  * options:n_rxq=1: one AF_XDP socket per port (queue 0 only). A veth
#    with several rx queues would spread traffic to queues nobody reads.
#  * The netdev datapath also creates tap devices in the root namespace:
#    "ovs-netdev" (datapath local port) and BRIDGE (bridge internal port).
#    They vanish when ovs-vswitchd exits. The name "ovs-netdev" is global,
#    so only ONE userspace-datapath OVS may run per network namespace.
#  * PMD threads busy-poll the cores in PMD_CPU_MASK at 100% while running.
#  * Harmless log noise: "setrlimit(RLIMIT_MEMLOCK) failed: Operation not
#    permitted" (no CAP_SYS_RESOURCE in a container; kernels >= 5.11 charge
#    BPF/UMEM memory to the memcg instead) and "failed to enumerate system
#    datapaths" (no openvswitch kernel module, not needed for netdev).
#  * libxdp loads its default "xsk_def_prog" (no bpffs needed). OVS removes
#    it only when the afxdp netdev is destroyed, i.e. on a clean
#    "ovs-appctl exit --cleanup" that is allowed to finish; stop does that
#    first and only then falls back to SIGTERM/SIGKILL + "ip link ... off".
#  * Unix socket paths are limited to ~107 bytes: keep RUNDIR short.

set -euo pipefail

PKGDATADIR=/usr/share/openvswitch
SCHEMA=$PKGDATADIR/vswitch.ovsschema
XDP_MODES=${OVS_XDP_MODES:-"native-with-zerocopy native generic"}
PORT_TIMEOUT=${OVS_PORT_TIMEOUT:-15}
STOP_TIMEOUT=${OVS_STOP_TIMEOUT:-10}

die() { echo "ovs.sh: error: $*" >&2; exit 1; }
log() { echo "ovs.sh: $*"; }

usage() {
    sed -n '9,12p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

# Point every OVS default path at RUNDIR so nothing lands in system dirs.
setenv_rundir() {
    RUNDIR=$(realpath -m "$1")
    export OVS_RUNDIR=$RUNDIR OVS_DBDIR=$RUNDIR OVS_LOGDIR=$RUNDIR
    export OVS_SYSCONFDIR=$RUNDIR OVS_PKGDATADIR=$PKGDATADIR
    DB=unix:$RUNDIR/db.sock
}

vsctl() { ovs-vsctl --db="$DB" --timeout=20 "$@"; }

# pid from a pidfile if that process is alive, else nothing.
live_pid() {
    local f=$1 pid
    [[ -r $f ]] || return 1
    pid=$(cat "$f" 2>/dev/null) || return 1
    [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# SIGTERM the daemon named by pidfile, SIGKILL after STOP_TIMEOUT seconds.
kill_pidfile() {
    local name=$1 f=$2 pid i
    if ! pid=$(live_pid "$f"); then
        rm -f "$f"; return 0
    fi
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "$name (pid $pid) ignored SIGTERM for ${STOP_TIMEOUT}s, sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$f"
}

log_tail() {
    local f=$RUNDIR/ovs-vswitchd.log
    [[ -r $f ]] || return 0
    echo "----- tail of $f -----" >&2
    tail -n 40 "$f" >&2
    echo "-----" >&2
}

# Wait until interface $1 has ofport > 0 and an empty error column.
# Returns 0 when up, 1 on error or timeout (message in $PORT_ERR).
wait_port_up() {
    local p=$1 deadline=$((SECONDS + PORT_TIMEOUT)) ofport err
    PORT_ERR=""
    while ((SECONDS < deadline)); do
        ofport=$(vsctl get interface "$p" ofport 2>/dev/null || echo "[]")
        err=$(vsctl get interface "$p" error 2>/dev/null || echo "[]")
        if [[ $err != "[]" && -n $err ]]; then
            PORT_ERR=$err; return 1
        fi
        if [[ $ofport =~ ^[0-9]+$ ]] && ((ofport > 0)); then
            return 0
        fi
        sleep 0.2
    done
    PORT_ERR="timeout after ${PORT_TIMEOUT}s (ofport=$ofport)"
    return 1
}

# Print "xdp", "xdpgeneric", ... if an XDP program is attached to $1.
xdp_attached() {
    ip -d link show dev "$1" 2>/dev/null |
        grep -oE '\b(xdp|xdpgeneric|xdpdrv|xdpoffload|xdpmulti)\b' | head -n1 || true
}

cmd_start() {
    (($# >= 4)) || usage
    setenv_rundir "$1"; local bridge=$2 mask=$3; shift 3
    local ports=("$@") p

    command -v ovs-vswitchd >/dev/null ||
        die "ovs-vswitchd not found (apt-get install -y --no-install-recommends openvswitch-switch)"
    [[ -r $SCHEMA ]] || die "schema $SCHEMA missing"
    for p in "${ports[@]}"; do
        ip link show dev "$p" >/dev/null 2>&1 || die "port $p does not exist in this namespace"
    done

    # The netdev datapath always creates a tap named "ovs-netdev" (and one
    # named BRIDGE): these names must be free in this namespace.
    for p in ovs-netdev "$bridge"; do
        ! ip link show dev "$p" >/dev/null 2>&1 ||
            die "device $p already exists (another userspace OVS running here, or a leftover: ip link del $p)"
    done

    mkdir -p "$RUNDIR"
    if live_pid "$RUNDIR/ovs-vswitchd.pid" >/dev/null || live_pid "$RUNDIR/ovsdb-server.pid" >/dev/null; then
        die "OVS already running from $RUNDIR; run '$0 stop $RUNDIR' first"
    fi
    # Record what stop must clean up before anything can fail.
    printf '%s\n' "${ports[@]}" >"$RUNDIR/ports"
    echo "$bridge" >"$RUNDIR/bridge"
    # From here on, any failure: show the log, tear everything down.
    trap 'rc=$?; if ((rc)); then log_tail; cmd_stop "$RUNDIR" >&2 || true; fi' EXIT

    # Fresh database every time.
    rm -f "$RUNDIR/conf.db" "$RUNDIR/.conf.db.~lock~" "$RUNDIR"/*.log
    ovsdb-tool create "$RUNDIR/conf.db" "$SCHEMA"

    ovsdb-server "$RUNDIR/conf.db" \
        --remote="punix:$RUNDIR/db.sock" \
        --pidfile="$RUNDIR/ovsdb-server.pid" \
        --unixctl="$RUNDIR/ovsdb-server.ctl" \
        --log-file="$RUNDIR/ovsdb-server.log" \
        --detach --no-chdir
    vsctl --no-wait init
    # PMD cores must be set before the first netdev port is added.
    vsctl --no-wait set Open_vSwitch . other_config:pmd-cpu-mask="$mask"

    ovs-vswitchd "$DB" \
        --pidfile="$RUNDIR/ovs-vswitchd.pid" \
        --unixctl="$RUNDIR/ovs-vswitchd.ctl" \
        --log-file="$RUNDIR/ovs-vswitchd.log" \
        --detach --no-chdir

    # Does this build support afxdp? (iface_types is filled in by vswitchd.)
    local types="" i
    for ((i = 0; i < 50; i++)); do
        types=$(vsctl get Open_vSwitch . iface_types 2>/dev/null || true)
        [[ $types != "[]" && -n $types ]] && break
        sleep 0.1
    done
    [[ $types == *afxdp* ]] ||
        die "this ovs-vswitchd ($(ovs-vswitchd --version | head -n1)) does not support afxdp ports (iface_types: $types)"

    # Userspace datapath bridge; no controller => standalone => NORMAL.
    vsctl add-br "$bridge" -- set bridge "$bridge" datapath_type=netdev

    local mode ok used
    for p in "${ports[@]}"; do
        ip link set dev "$p" up
        ok=0
        for mode in $XDP_MODES; do
            vsctl --if-exists del-port "$bridge" "$p"
            # (add-port reports a failed port on stderr and exits non-zero;
            # wait_port_up reads the same error from the error column.)
            vsctl add-port "$bridge" "$p" -- set interface "$p" type=afxdp \
                options:xdp-mode="$mode" options:n_rxq=1 2>/dev/null || true
            if wait_port_up "$p"; then
                used=$(ovs-appctl -t "$RUNDIR/ovs-vswitchd.ctl" dpctl/show 2>/dev/null |
                    grep -oE ": $p \(afxdp:.*xdp-mode-in-use=[a-z-]+" | sed 's/.*=//' || true)
                log "port $p: afxdp up, xdp-mode=$mode (in use: ${used:-?}, kernel: $(xdp_attached "$p"))"
                ok=1; break
            fi
            log "port $p: xdp-mode=$mode failed: $PORT_ERR"
        done
        ((ok)) || die "port $p: no xdp-mode out of '$XDP_MODES' worked"
    done

    log "OVS $(ovs-vswitchd --version | head -n1 | awk '{print $NF}') running: bridge $bridge, pmd-cpu-mask=$mask, ports: ${ports[*]}"
    log "  ovs-appctl -t $RUNDIR/ovs-vswitchd.ctl ...   (log: $RUNDIR/ovs-vswitchd.log)"
    trap - EXIT
}

cmd_stop() {
    (($# == 1)) || usage
    setenv_rundir "$1"
    [[ -d $RUNDIR ]] || { log "$RUNDIR does not exist, nothing to stop"; return 0; }

    # Graceful first: "exit --cleanup" makes vswitchd close its AF_XDP
    # sockets and delete its datapath ports (unloads the XDP programs).
    # It must be left to finish: a SIGTERM in the middle of that cleanup
    # leaves the XDP programs on the ports and the "ovs-netdev" tap behind.
    local pid i
    if pid=$(live_pid "$RUNDIR/ovs-vswitchd.pid") && [[ -S $RUNDIR/ovs-vswitchd.ctl ]]; then
        timeout 10 ovs-appctl -t "$RUNDIR/ovs-vswitchd.ctl" exit --cleanup >/dev/null 2>&1 || true
        for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    fi
    kill_pidfile ovs-vswitchd "$RUNDIR/ovs-vswitchd.pid"
    kill_pidfile ovsdb-server "$RUNDIR/ovsdb-server.pid"
    rm -f "$RUNDIR/db.sock" "$RUNDIR/ovs-vswitchd.ctl" "$RUNDIR/ovsdb-server.ctl"

    # No XDP program may remain on our ports. Only touch ports start recorded.
    local p x rc=0
    if [[ -r $RUNDIR/ports ]]; then
        while read -r p; do
            [[ -n $p ]] || continue
            ip link show dev "$p" >/dev/null 2>&1 || continue
            x=$(xdp_attached "$p")
            [[ -n $x ]] || continue
            log "WARNING: XDP program ($x) still attached to $p after stop; detaching"
            ip link set dev "$p" xdpgeneric off 2>/dev/null || true
            ip link set dev "$p" xdpdrv off 2>/dev/null || true
            ip link set dev "$p" xdp off 2>/dev/null || true
            x=$(xdp_attached "$p")
            [[ -z $x ]] || { log "ERROR: could not detach XDP ($x) from $p"; rc=1; }
        done <"$RUNDIR/ports"
    fi
    # The userspace datapath's persistent tap devices ("ovs-netdev" and the
    # bridge's internal port) are deleted by a clean exit; after a crash or
    # SIGKILL they stay. Start made sure they did not exist before, so any
    # tun device by these names now is ours: report and delete it.
    if [[ -r $RUNDIR/bridge ]]; then
        for p in ovs-netdev $(cat "$RUNDIR/bridge"); do
            ip -d link show dev "$p" 2>/dev/null | grep -q ' tun ' || continue
            log "WARNING: tap device $p left behind by ovs-vswitchd; deleting"
            ip link del dev "$p" || rc=1
        done
    fi
    log "stopped ($RUNDIR)"
    return $rc
}

cmd_fdb() {
    (($# == 2)) || usage
    setenv_rundir "$1"
    live_pid "$RUNDIR/ovs-vswitchd.pid" >/dev/null || die "ovs-vswitchd not running from $RUNDIR"
    ovs-appctl -t "$RUNDIR/ovs-vswitchd.ctl" fdb/show "$2"
}

(($# >= 1)) || usage
cmd=$1; shift
case $cmd in
    start) cmd_start "$@" ;;
    stop)  cmd_stop "$@" ;;
    fdb)   cmd_fdb "$@" ;;
    *)     usage ;;
esac
