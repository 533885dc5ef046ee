#!/usr/bin/env bash
# Installs the Debian packages listed in test/bench/bench-packages.txt that are missing, through
# apt-get (needs root); does nothing when all are present. Services the packages ship (nginx,
# kea-dhcp4-server) are not started by the installation: the benchmarks start their own
# instances, on loopback or in network namespaces.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$here/bench-packages.txt" | grep -v '^$')
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "benchmark packages: all ${#wanted[@]} present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "benchmark packages missing and not root, cannot apt-get install: ${missing[*]}" >&2
  exit 1
fi
echo "benchmark packages: installing ${missing[*]}"
# policy-rc.d exiting 101 tells invoke-rc.d and deb-systemd-invoke not to start services
# (init-system-helpers README.policy-rc.d); one that already exists is left alone.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
