#!/usr/bin/env bash
# The end-to-end forwarding benchmark, one command (see bench/README.md):
#   bench/e2e/run.sh [--quick] [--switches a,b] [--sizes 64,512,1518] [--rounds N] [--trial-seconds S] [--out DIR] [--profile]
#   bench/e2e/run.sh storm [--switches a,b] [--limit FPS] [--storm-rate FPS] [--storm-cpu N]   (storm control, bench/README.md)
#   bench/e2e/run.sh paired --switches a,b [--sizes 64] [--rounds PAIRS (16)] [--trial-seconds S]   (A against B trial by trial, bench/README.md)
# Installs what it needs (Open vSwitch, gnuplot), builds this tree's FastBridge and the bench in
# Release, and runs every switch under test on its own throw-away namespaces and veth pairs.
# Results land in bench/e2e/results/<date>/ (results.md, results.csv, throughput.png).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "$(id -u)" -ne 0 ]; then
  echo "e2e: run as root (it creates namespaces, veth pairs and raw sockets)" >&2
  exit 1
fi
scripts/deps.sh
missing=()
command -v ovs-vswitchd >/dev/null || missing+=(openvswitch-switch)
command -v gnuplot >/dev/null || missing+=(gnuplot-nox)
if [[ " $* " == *" --profile "* ]]; then command -v perf >/dev/null || missing+=(linux-perf); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "e2e: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
dotnet build bench/e2e/FastBridge.E2e -c Release -v quiet -nologo >/dev/null
# The whole bench (generator, probe, its runtime's threads, the tools it starts) stays on CPU 0, the
# generator's; CPU 1 belongs to the switch under test. Measured: left to float, the bench's own JIT
# thread took 20-200 ms of CPU 1 per 0.5 s trial and cost FastBridge its zero-loss rate.
exec taskset -c 0 dotnet bench/e2e/FastBridge.E2e/bin/Release/net10.0/FastBridge.E2e.dll "$@"
