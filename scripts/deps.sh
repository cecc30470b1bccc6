#!/usr/bin/env bash
# Installs the Debian packages FastBridge's lab and tests use that a fresh machine lacks:
# ping for the lab, iperf3 for the TCP test, prometheus (prometheus and promtool) for the metrics tests,
# help2man for the man page the .deb carries, strace for the test that finds the unit's SystemCallFilter,
# Open vSwitch as the VLAN tests' reference switch (this kernel's bridge has no vlan_filtering),
# tcpdump for the mirror tests, which capture on the mirror port with it as an operator would, curl for the
# API tests (over --http and the Unix socket).
# Everything else (iproute2, python3, dpkg-deb, systemd-analyze, the .NET SDK) is already there. Idempotent: installs only what is missing.
set -euo pipefail
packages=(iputils-ping iperf3 prometheus help2man strace openvswitch-switch tcpdump curl)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
