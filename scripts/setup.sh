#!/usr/bin/env bash
# Sets FastBridge up on a fresh machine, as root: installs what the lab and the package need, publishes
# fastbridge as one self-contained trimmed file (artifacts/publish/fastbridge, no .NET runtime needed to
# run it), packages it as artifacts/fastbridge_VERSION_amd64.deb (scripts/package-deb.sh) and installs
# that package with apt (so its few dependencies come along): /usr/bin/fastbridge, the systemd unit
# (not enabled), /etc/fastbridge/fastbridge.json, the fastbridge user and group, fastbridge(8) and
# bash completion. Copy the .deb to install elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "setup: run as root (it installs packages and the fastbridge .deb)" >&2
  exit 1
fi
scripts/deps.sh
echo "setup: publishing and packaging fastbridge"
deb=$(scripts/package-deb.sh | tail -n 1)
# Earlier versions installed /usr/local/lib/fastbridge and a /usr/local/bin link, which would shadow /usr/bin.
if [ "$(readlink /usr/local/bin/fastbridge 2>/dev/null)" = /usr/local/lib/fastbridge/fastbridge ]; then
  rm -f /usr/local/bin/fastbridge
  rm -rf /usr/local/lib/fastbridge
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb" >/dev/null
echo "setup: $deb installed; $(command -v fastbridge) is ready"
