#!/usr/bin/env bash
# Sets FastBridge up on a fresh machine, as root: installs what the lab needs, builds a Release
# fastbridge and puts it on the PATH as /usr/local/bin/fastbridge.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "setup: run as root (it installs packages and /usr/local/bin/fastbridge)" >&2
  exit 1
fi
scripts/deps.sh
echo "setup: building fastbridge"
dotnet publish src/ControlPlane/FastBridge.ControlPlane.csproj -c Release -o /usr/local/lib/fastbridge -v quiet -nologo
ln -sf /usr/local/lib/fastbridge/fastbridge /usr/local/bin/fastbridge
echo "setup: $(command -v fastbridge) is ready"
