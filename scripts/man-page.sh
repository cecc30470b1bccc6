#!/usr/bin/env bash
# Writes fastbridge(8) from a built fastbridge's own --help: help2man renders the top-level help, and
# every command's help (found by walking the "Commands:" lists, so a new subcommand appears by itself)
# goes into a COMMANDS section. Run at package time from the binary being packaged, so the page and
# the command line cannot drift apart. Usage: scripts/man-page.sh BINARY OUT.8
set -euo pipefail
binary=$(realpath "$1")
out=$2
include=$(mktemp)
trap 'rm -f "$include"' EXIT

# The subcommands a --help lists: the first word of each line under "Commands:".
subcommands() {
  "$binary" "$@" --help | awk '/^Commands:/ { listing = 1; next } /^$/ { listing = 0 } listing { print $1 }'
}

# One command's help, verbatim: roff escapes for backslashes and for lines that would read as requests.
section() {
  echo ".SS \"fastbridge $*\""
  echo ".nf"
  "$binary" "$@" --help | sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/"
  echo ".fi"
  local sub
  for sub in $(subcommands "$@"); do
    section "$@" "$sub"
  done
}

{
  echo "[COMMANDS]"
  for command in $(subcommands); do
    section "$command"
  done
  cat <<'ROFF'
[FILES]
.TP
.I /etc/fastbridge/fastbridge.json
the service's config (\fBfastbridge run \-\-config\fR); \fBsystemctl reload fastbridge\fR re-reads it
.TP
.I /run/fastbridge/fastbridge.sock
the management API, mode 0660: root and the \fBfastbridge\fR group
.TP
.I /lib/systemd/system/fastbridge.service
the systemd unit (Type=notify, with a watchdog fed while every poll loop advances)
[EXIT STATUS]
0 done; 1 refused or failed (one line says why); 2 a malformed command line; 3 no daemon answers on the socket, or the socket may not be opened.
[SEE ALSO]
.BR bridge (8),
.BR ip-link (8),
.BR systemd.service (5)
ROFF
} > "$include"

version=$("$binary" --version)
help2man --no-info --section 8 --name "a user-space Ethernet switch, managed like the Linux bridge" \
  --version-string "${version%%+*}" --include "$include" --output "$out" "$binary"
