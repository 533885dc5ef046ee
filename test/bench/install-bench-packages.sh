#!/usr/bin/env bash
# Installs the benchmarks' peers (test/bench/bench-packages.txt) that are missing, without starting
# the services they ship (nginx, kea-dhcp4-server): the benchmarks start their own instances, on
# loopback or in network namespaces.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec bash "$here/../install-system-packages.sh" --no-services "$here/bench-packages.txt"
