#!/usr/bin/env bash
# Runs every test, as root: unit tests, and integration tests that build their own network
# namespaces and veth pairs and run FastBridge (and the Linux bridge, for comparison) between them.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "test: run as root (the integration tests create namespaces and raw sockets)" >&2
  exit 1
fi
scripts/deps.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test FastBridge.sln -c Release --logger "console;verbosity=normal" 2>&1 | tee "$log" || status=$?
# One plain closing line for readers that do not know dotnet test's summary format.
# dotnet test closes with "Passed: N" and, only when some failed, "Failed: N"; a missing line is 0.
count() { { grep -oE "^ +$1: +[0-9]+" "$log" || true; } | awk '{s+=$2} END {print s+0}'; }
passed=$(count Passed)
failed=$(count Failed)
# dotnet test prints each failure far above its summary; name them again where a log's tail is read.
if [ "$failed" -gt 0 ]; then
  echo "failed tests:"
  { grep -E "^ +Failed [A-Za-z]" "$log" || true; } | sed 's/^ */  /'
fi
echo "tests: $passed passed, $failed failed"
exit $status
