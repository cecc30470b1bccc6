#!/usr/bin/env bash
# What the XDP programs themselves cost per frame, on the e2e bench's lab under its load (see bench/README.md):
#   bench/e2e/program-cost.sh [--switches fastbridge-fastpath,xdp-redirect] [--rounds N] [--fastbridge-args "..."]
# Turns on the kernel's BPF run-time statistics (kernel.bpf_stats_enabled, restored on exit), runs the bench's
# quick mode with 3-s trials for each switch in turn, and samples every XDP program's run_time_ns and run_cnt
# (bpftool) twice a second. It prints, per switch, the median nanoseconds per run over the half-second windows
# that ran the program at 80% or more of its highest rate in the run (the maximum-load trial; colder caches at
# lower rates cost more per run; a fixed rate would not fit a machine whose maximum load varies 3x by day),
# from the end of the warm-up to the end of the forwarding trials. The statistics add two clock reads to every run, the same for every program.
set -euo pipefail
cd "$(dirname "$0")/../.."
switches=fastbridge-fastpath,xdp-redirect
rounds=1
fastbridge_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --switches) switches="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --fastbridge-args) fastbridge_args=(--fastbridge-args "$2"); shift 2 ;;
    *) echo "program-cost: unknown option '$1' (--switches a,b, --rounds N, --fastbridge-args \"...\")" >&2; exit 2 ;;
  esac
done
command -v bpftool >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends bpftool >/dev/null; }
work=$(mktemp -d)
stats_before=$(cat /proc/sys/kernel/bpf_stats_enabled)
trap 'echo "$stats_before" > /proc/sys/kernel/bpf_stats_enabled; rm -rf "$work"' EXIT
echo 1 > /proc/sys/kernel/bpf_stats_enabled
for round in $(seq 1 "$rounds"); do
  for switch in ${switches//,/ }; do
    : > "$work/run.log"
    : > "$work/samples"
    bench/e2e/run.sh --quick --trial-seconds 3 --switches "$switch" --sizes 64 --out "$work/out" "${fastbridge_args[@]}" > "$work/run.log" 2>&1 &
    bench=$!
    # The windows that count: after FastBridge's warm-up (its "steady:" line; until the tick mirrors a station,
    # its frames take the slow path at a higher rate), and before the RFC 2889 trials (new stations again).
    warm=1
    [[ "$switch" == fastbridge* ]] && warm=0
    while kill -0 "$bench" 2>/dev/null && ! grep -q " B: throughput" "$work/run.log"; do
      [ "$warm" = 0 ] && grep -q "steady:" "$work/run.log" && warm=1
      bpftool prog show 2>/dev/null | awk -v t="$(date +%s.%N)" -v w="$warm" '/^[0-9]+: xdp/{id=$1; name=$4} /run_time_ns/{for(i=1;i<=NF;i++){if($i=="run_time_ns")rt=$(i+1); if($i=="run_cnt")rc=$(i+1)} print t, id, name, rt, rc, w}' >> "$work/samples"
      sleep 0.5
    done
    wait "$bench" || { cat "$work/run.log" >&2; exit 1; }
    awk '{k=$2; if(k in rt && $6==1){d=$5-rc[k]; if(d>0) print $3, d/($1-t[k]), ($4-rt[k])/d} rt[k]=$4; rc[k]=$5; t[k]=$1}' "$work/samples" > "$work/windows"
    awk 'NR==FNR{if($2>top[$1])top[$1]=$2; next} $2>=0.8*top[$1]{print $1, $3}' "$work/windows" "$work/windows" |
      sort -k1,1 -k2,2n | awk -v r="$round" -v s="$switch" '{n[$1]++; v[$1,n[$1]]=$2} END{for(p in n) printf "round %s %-20s %-16s %5.1f ns/run (median of %d windows, %.1f-%.1f)\n", r, s, p, v[p,int((n[p]+1)/2)], n[p], v[p,1], v[p,n[p]]}'
    grep -o "throughput [0-9.]* Mfps" "$work/run.log" | sed "s/^/round $round $switch /"
  done
done
