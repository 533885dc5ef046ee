#!/usr/bin/env bash
# Installs the Debian packages of a list that are missing, through apt-get (needs root); does
# nothing when all are present. Runs as the first step of `npm test` with test/system-packages.txt.
#   install-system-packages.sh [--no-services] [LIST]
# --no-services: services the packages ship are not started by the installation
# (test/bench/install-bench-packages.sh: the benchmarks start their own instances).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
no_services=false
if [ "${1:-}" = "--no-services" ]; then no_services=true; shift; fi
list=${1:-$here/system-packages.txt}
label=$(basename "$list" .txt)
mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$list" | grep -v '^$')
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "$label: all ${#wanted[@]} present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "$label missing and not root, cannot apt-get install: ${missing[*]}" >&2
  exit 1
fi
echo "$label: installing ${missing[*]}"
if $no_services; then
  # policy-rc.d exiting 101 tells invoke-rc.d and deb-systemd-invoke not to start services
  # (init-system-helpers README.policy-rc.d); one that already exists is left alone.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
fi
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
