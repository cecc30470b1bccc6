#!/usr/bin/env bash
# The soak, one command (see bench/README.md): FastBridge for N minutes with paced traffic between the
# e2e bench's namespaces, /metrics scraped every 30 s, a report per minute (loss, RSS, GC counts and
# pause time, bytes allocated, FDB size):
#   bench/soak/run.sh [--minutes 10] [--rate 50000] [--backend afxdp|afpacket] [--scrape-seconds 30] [--size 64] [--out DIR]
# Builds this tree in Release and writes bench/soak/results/<date>/ (results.md, results.csv). Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "$(id -u)" -ne 0 ]; then
  echo "soak: run as root (it creates namespaces, veth pairs and raw sockets)" >&2
  exit 1
fi
dotnet build bench/e2e/FastBridge.E2e -c Release -v quiet -nologo >/dev/null
# As in the e2e bench: the soak's own process (generator, scrapes) on CPU 0, the switch's poll loop on CPU 1.
exec taskset -c 0 dotnet bench/e2e/FastBridge.E2e/bin/Release/net10.0/FastBridge.E2e.dll soak "$@"
