#!/usr/bin/env bash
# Installs Debian packages that are missing, in one apt-get call (root, or sudo). Logs go to standard error, so a
# caller that captures this script's output gets nothing but what it asked for.
# Usage: scripts/apt-install.sh PACKAGE...
set -euo pipefail

missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

printf '[apt] installing %s\n' "${missing[*]}" >&2
sudo_=()
[ "$(id -u)" -eq 0 ] || sudo_=(sudo)
"${sudo_[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
"${sudo_[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
