#!/bin/bash
# One simulated machine of the rack bench (rack-bench.ts), run inside its namespace: waits for
# the start file, then boots as an iPXE-era PXE machine would with real clients:
#   DHCP  udhcpc with option 60 PXEClient and option 93 architecture 7 (EFI x64) → address,
#         next server and boot file from the answer
#   TFTP  the boot file from the next server (curl, blksize 1468 as iPXE and firmware ask)
#   HTTP  the per-MAC boot script, the kernel and the initrd (curl), then the machine's kickstart,
#         which must answer 200 with this machine's own network line (--device=MAC)
# Prints one line: "ok T_START T_DHCP T_TFTP T_HTTP T_KS KS_STATUS" (epoch seconds after each
# phase), or "fail PHASE detail". Arguments: GO_FILE HOOK MAC HOSTID HTTP_PORT LOADER_BYTES
# KERNEL_BYTES INITRD_BYTES.
set -u
GO=$1 HOOK=$2 MAC=$3 HOSTID=$4 PORT=$5 LOADER_BYTES=$6 KERNEL_BYTES=$7 INITRD_BYTES=$8
export HOSTID # read by the udhcpc hook
LEASE=/dev/shm/rk-lease-$HOSTID
rm -f "$LEASE"
while [ ! -e "$GO" ]; do sleep 0.005; done
t0=$(date +%s.%N)
udhcpc -f -q -n -t 10 -T 2 -i eth0 -V PXEClient:Arch:00007:UNDI:003016 -x 0x5d:0007 -s "$HOOK" >/dev/null 2>&1 \
  || { echo "fail dhcp udhcpc exited $?"; exit 1; }
# shellcheck disable=SC1090
. "$LEASE" || { echo "fail dhcp no lease file"; exit 1; }
[ -n "${boot_file:-}" ] && [ -n "${siaddr:-}" ] || { echo "fail dhcp no next server or boot file (siaddr='${siaddr:-}' boot_file='${boot_file:-}')"; exit 1; }
t1=$(date +%s.%N)
got=$(curl -sS --retry 5 --retry-delay 1 --tftp-blksize 1468 -o /dev/null -w '%{size_download}' "tftp://$siaddr/$boot_file" 2>&1) || { echo "fail tftp $got"; exit 1; }
[ "$got" = "$LOADER_BYTES" ] || { echo "fail tftp got $got bytes of $LOADER_BYTES"; exit 1; }
t2=$(date +%s.%N)
base=http://$siaddr:$PORT
fetch() { # URL BYTES(or -) → fails unless 200 and, when given, that many bytes
  local r
  r=$(curl -sS -o /dev/null -w '%{http_code} %{size_download}' "$1" 2>&1) || { echo "fail http $1 $r"; exit 1; }
  [ "${r%% *}" = 200 ] || { echo "fail http $1 status ${r%% *}"; exit 1; }
  [ "$2" = - ] || [ "${r#* }" = "$2" ] || { echo "fail http $1 got ${r#* } bytes of $2"; exit 1; }
}
fetch "$base/boot/ipxe/$MAC" -
fetch "$base/trees/rack/vmlinuz" "$KERNEL_BYTES"
fetch "$base/trees/rack/initrd.img" "$INITRD_BYTES"
t3=$(date +%s.%N)
KS=/dev/shm/rk-ks-$HOSTID
ks=$(curl -sS -o "$KS" -w '%{http_code}' "$base/ks/$HOSTID.ks" 2>&1) || { echo "fail ks $ks"; exit 1; }
t4=$(date +%s.%N)
[ "$ks" = 200 ] || { echo "fail ks status $ks"; exit 1; }
# Its own kickstart: the network line for its own MAC.
grep -qF -- "--device=$MAC " "$KS" || { echo "fail ks not this machine's kickstart ($(head -c 200 "$KS" | tr '\n' ' '))"; exit 1; }
rm -f "$KS"
echo "ok $t0 $t1 $t2 $t3 $t4 $ks"
