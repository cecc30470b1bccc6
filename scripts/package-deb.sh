#!/usr/bin/env bash
# Builds fastbridge_VERSION_amd64.deb with dpkg-deb: the self-contained single-file fastbridge as
# /usr/bin/fastbridge (nothing beside it, so no private directory and symlink), the systemd unit, the
# example config as a conffile, fastbridge(8) and bash completion generated from that binary, and the
# maintainer scripts that create the fastbridge user and group. Usage:
#   scripts/package-deb.sh [--binary FILE] [--out DIR]
# Without --binary it publishes one first (artifacts/publish/fastbridge: trimmed, single file, no .NET
# runtime needed); --out defaults to artifacts/. Prints the .deb's path last.
set -euo pipefail
repo=$(realpath "$(dirname "$0")/..")
binary=
out=$repo/artifacts
while [ $# -gt 0 ]; do
  case $1 in
    --binary) binary=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "package-deb: unknown argument $1 (usage: $0 [--binary FILE] [--out DIR])" >&2; exit 2 ;;
  esac
done
out=$(realpath -m "$out")
[ -z "$binary" ] || binary=$(realpath "$binary")
cd "$repo"
if [ -z "$binary" ]; then
  binary=$repo/artifacts/publish/fastbridge
  echo "package-deb: publishing $binary" >&2
  dotnet publish src/ControlPlane/FastBridge.ControlPlane.csproj -c Release -r linux-x64 --self-contained \
    -p:PublishSingleFile=true -p:PublishTrimmed=true -p:DebugType=none -o artifacts/publish -v quiet -nologo >&2
fi
version=$("$binary" --version)
version=${version#fastbridge }
version=${version%%+*}

root=$(mktemp -d)
chmod 755 "$root"
trap 'rm -rf "$root"' EXIT
install -D -m 755 "$binary" "$root/usr/bin/fastbridge"
install -D -m 644 deploy/systemd/fastbridge.service "$root/lib/systemd/system/fastbridge.service"
install -D -m 644 deploy/fastbridge.example.json "$root/etc/fastbridge/fastbridge.json"
install -D -m 644 deploy/debian/fastbridge.bash-completion "$root/usr/share/bash-completion/completions/fastbridge"
mkdir -p "$root/usr/share/man/man8"
scripts/man-page.sh "$binary" "$root/usr/share/man/man8/fastbridge.8"
gzip -9n "$root/usr/share/man/man8/fastbridge.8"
install -D -m 644 README.md "$root/usr/share/doc/fastbridge/README.md"

install -d "$root/DEBIAN"
install -m 755 deploy/debian/postinst deploy/debian/prerm deploy/debian/postrm "$root/DEBIAN/"
echo /etc/fastbridge/fastbridge.json > "$root/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size/" deploy/debian/control > "$root/DEBIAN/control"

mkdir -p "$out"
deb="$out/fastbridge_${version}_amd64.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >&2
echo "$deb"
