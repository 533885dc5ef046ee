#!/bin/bash
# TFTP throughput: Striker vs tftpd-hpa, atftpd and dnsmasq (TFTP only), same 50 MiB file,
# same clients and options, in one run. Run by hand as root (not part of `npm test`), under the
# shared benchmark lock:
#   flock /tmp/stk-bench.lock bash test/bench/tftp/run.sh          # full matrix
#   QUICK=1 ...                    # blksize 1468 only
#   ONLY='curl 1468|atftp 1468 w4' # only rows whose label matches this extended regex
#   REPS=3 REPS_SW=5 ...           # runs per cell: windows of 16+ / stop-and-wait and w4 (median)
#   SAME_CPU=1 ...                 # diagnostic: clients on the servers' CPU (see below)
#   STK_TFTP_DGRAM=1 ...           # Striker on node:dgram sockets (the fallback without the addon)
#   STK_TFTP_SPIN_US=0 ...         # Striker's tftp.spinMicros (default 100; 0: never spin)
# Topology: two network namespaces joined by a veth pair (as in LAB.md): stk-tftp-bs holds all
# four servers at once, each on its own address, port 69 (striker .1, tftpd-hpa .2, atftpd .3,
# dnsmasq .4); stk-tftp-bc (10.79.0.100) runs the clients. Runs are interleaved across servers
# (row by row, repetition by repetition), so load from elsewhere on the machine hits all alike.
# CPU pinning: every server runs on CPU $SERVER_CPU (default 1), every client on CPU $CLIENT_CPU
# (default 0), with taskset — the realistic case of a client on another machine. Unpinned, a
# stop-and-wait transfer is bimodal (about 20 MB/s when client and server sit on different CPUs,
# 60–80 when the scheduler puts them on the same one), so medians of a few runs were dice rolls.
# SAME_CPU=1 puts the clients on the servers' CPU: then no cross-CPU wake-up hides the time
# each server spends per packet, so stop-and-wait rows compare per-packet CPU cost.
# Prints every run, the median MB/s per server and the ratio Striker / best peer for each row;
# then each server's CPU time per DATA block (median, from a cgroup-v1 cpuacct group per server,
# threads and forked children included): the per-packet cost that wake-up latency hides in MB/s.
# Striker's CPU includes the time it stays awake after a send waiting for the ACK
# (tftp.spinMicros, pxe/tftp/native/transfer-socket.c): in stop-and-wait rows that is most of
# the difference to the C servers, which sleep in recvfrom(2) and pay a wake-up per ACK instead.
set -u
cd "$(dirname "$0")/../../.." || exit 1
REPO=$(cd "$(dirname "$0")/../../.." && pwd)

# Exits 2 naming every missing peer program and its Debian package, as every benchmark does
# first: the program → package table is test/bench/require-peers.ts, run here as a script.
require_peers() {
  command -v node >/dev/null || { echo "missing benchmark peers: node (Node.js 20.19 or newer, see README.md)" >&2; exit 2; }
  node --import tsx "$REPO/test/bench/require-peers.ts" "$@" || exit $?
}
# Clients, dnsmasq as a peer server, pinning and arithmetic; apt-get and dpkg unpack tftpd-hpa
# and atftpd below.
require_peers ip dnsmasq tftp atftp curl busybox taskset bc apt-get dpkg
W=/tmp/stk-tftp-bench
NS_S=stk-tftp-bs
NS_C=stk-tftp-bc
REPS=${REPS:-3}
REPS_SW=${REPS_SW:-5}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
[ "${SAME_CPU:-0}" = 1 ] && CLIENT_CPU=$SERVER_CPU
S_PIN=(taskset -c "$SERVER_CPU")
C_PIN=(taskset -c "$CLIENT_CPU")
declare -A IP=([striker]=10.79.0.1 [tftpd-hpa]=10.79.0.2 [atftpd]=10.79.0.3 [dnsmasq]=10.79.0.4)
FILE=big50.bin
SIZE_MB=52.428800
RUN_TIMEOUT=${RUN_TIMEOUT:-40}
SERVERS=(striker tftpd-hpa atftpd dnsmasq)

mkdir -p "$W/root" "$W/debs" "$W/logs"
chmod 755 "$W" "$W/root"
if [ ! -f "$W/root/$FILE" ]; then head -c 52428800 /dev/urandom > "$W/root/$FILE"; fi
chmod 644 "$W/root/$FILE"
echo small > "$W/root/probe.txt"; chmod 644 "$W/root/probe.txt"
SUM=$(md5sum < "$W/root/$FILE" | cut -d' ' -f1)

# The two C servers are unpacked from their Debian packages, not installed: installing them
# would set up a TFTP service on the machine's own interfaces.
# Each goes to its own directory (both packages ship a /usr/sbin/in.tftpd).
HPA=$W/debs/tftpd-hpa/usr/sbin/in.tftpd
ATFTPD=$W/debs/atftpd/usr/sbin/atftpd
for pkg in tftpd-hpa atftpd; do
  bin=$HPA; [ $pkg = atftpd ] && bin=$ATFTPD
  if [ ! -x "$bin" ]; then
    rm -rf "$W/debs/$pkg"; mkdir -p "$W/debs/$pkg"
    (cd "$W/debs/$pkg" && apt-get download $pkg 2>/dev/null >/dev/null && dpkg -x ${pkg}_*.deb .) || { echo "cannot get $pkg" >&2; exit 1; }
  fi
done
# Striker's transfer sockets go through pxe/tftp/native when built (as npm test does);
# STK_TFTP_DGRAM=1 makes it use node:dgram instead.
ADDON=$REPO/pxe/tftp/native/build/Release/transfer_socket.node
if [ ! -f "$ADDON" ]; then
  NODEDIR=$(dirname "$(dirname "$(command -v node)")")
  node "$NODEDIR/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js" rebuild --nodedir="$NODEDIR" -C "$REPO/pxe/tftp/native" >/dev/null || { echo "cannot build pxe/tftp/native" >&2; exit 1; }
fi

PIDS=()
CG=/sys/fs/cgroup/cpuacct
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  ip netns del $NS_S 2>/dev/null
  ip netns del $NS_C 2>/dev/null
  rm -f /dev/shm/stk-tftp-probe.out /dev/shm/stk-tftp-bench.out
  sleep 0.3
  for s in "${SERVERS[@]}"; do [ -d "$CG/stk-tftp-$s" ] && rmdir "$CG/stk-tftp-$s" 2>/dev/null; done
}
trap cleanup EXIT
cleanup
ip netns add $NS_S && ip netns add $NS_C
ip link add vs0 netns $NS_S type veth peer name vc0 netns $NS_C
ip -n $NS_S link set lo up; ip -n $NS_C link set lo up
for s in "${SERVERS[@]}"; do ip -n $NS_S addr add ${IP[$s]}/24 dev vs0; done
ip -n $NS_C addr add 10.79.0.100/24 dev vc0
ip -n $NS_S link set vs0 up; ip -n $NS_C link set vc0 up

start_server() {
  local ip=${IP[$1]}
  case $1 in
    striker)   ip netns exec $NS_S "${S_PIN[@]}" env STK_TFTP_DGRAM="${STK_TFTP_DGRAM:-0}" node --import tsx "$REPO/test/bench/tftp/striker-tftpd.ts" $ip 69 "$W/root" > "$W/logs/striker.log" 2>&1 & ;;
    tftpd-hpa) ip netns exec $NS_S "${S_PIN[@]}" "$HPA" -L -s "$W/root" -a $ip:69 -u nobody > "$W/logs/tftpd-hpa.log" 2>&1 & ;;
    atftpd)    ip netns exec $NS_S "${S_PIN[@]}" "$ATFTPD" --daemon --no-fork --logfile /dev/null --user nobody --group nogroup --port 69 --bind-address $ip "$W/root" > "$W/logs/atftpd.log" 2>&1 & ;;
    dnsmasq)   ip netns exec $NS_S "${S_PIN[@]}" dnsmasq --conf-file=/dev/null --port=0 --keep-in-foreground --bind-interfaces --listen-address=$ip \
                 --enable-tftp --tftp-root="$W/root" --user=root --pid-file="$W/logs/dnsmasq.pid" > "$W/logs/dnsmasq.log" 2>&1 & ;;
  esac
  PIDS+=($!)
  # CPU accounting per server (optional: without cgroup-v1 cpuacct the CPU table shows '-').
  if [ -f "$CG/cpuacct.usage" ] && mkdir -p "$CG/stk-tftp-$1" 2>/dev/null; then echo $! > "$CG/stk-tftp-$1/cgroup.procs" 2>/dev/null; fi
  for _ in $(seq 1 100); do
    ip netns exec $NS_C timeout 1 tftp -m binary $ip 69 -c get probe.txt /dev/shm/stk-tftp-probe.out >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "$1 did not start" >&2; return 1
}

# row label | client | blksize | windowsize
ROWS=()
if [ "${QUICK:-0}" = 1 ]; then BLKSIZES=(1468); else BLKSIZES=(512 1468 8192 65464); fi
[ "${QUICK:-0}" = 1 ] || ROWS+=("tftp-hpa 512|hpa||")
for bs in "${BLKSIZES[@]}"; do ROWS+=("curl $bs|curl|$bs|"); done
for bs in "${BLKSIZES[@]}"; do ROWS+=("busybox $bs|busybox|$bs|"); done
for bs in "${BLKSIZES[@]}"; do
  for ws in 1 4 16 64; do
    # A window larger than the client's socket receive buffer (~208 KiB; a fragmented 8 KiB
    # datagram takes ~14 KiB of it) overflows it with every server, so such rows only measure
    # loss recovery. Striker answers at most 96 KiB of window (windowBytesMax): 8192 w16 → w12.
    [ $((bs * ws)) -gt 131072 ] && continue
    ROWS+=("atftp $bs w$ws|atftp|$bs|$ws")
  done
done

if [ -n "${ONLY:-}" ]; then
  KEEP=()
  for row in "${ROWS[@]}"; do [[ ${row%%|*} =~ ^($ONLY)$ ]] && KEEP+=("$row"); done
  ROWS=("${KEEP[@]}")
fi
# Stop-and-wait rows (no window, or windowsize 1) and windowsize 4 are bound by wake-up latency
# (one round trip per 1–4 blocks) and vary most from run to run: they get REPS_SW runs.
reps_for() { case "$1" in ''|1|4) echo "$REPS_SW" ;; *) echo "$REPS" ;; esac; }

cpu_ns() { cat "$CG/stk-tftp-$1/cpuacct.usage" 2>/dev/null || echo -; }

# Clients write to files under /dev/shm, never to /dev/null: busybox tftp unlinks its local
# file when a transfer fails, and a later `> /dev/null` then makes it a regular file.
fetch() { # server client blksize windowsize → prints "MB/s CPU-µs-per-block" or a failure word
  local server=$1 client=$2 bs=$3 ws=$4 out=/dev/shm/stk-tftp-bench.out
  local SRV_IP=${IP[$server]}
  rm -f $out
  local s e rc c0 c1 cpu=-
  c0=$(cpu_ns "$server")
  s=$(date +%s.%N)
  case $client in
    hpa)     ip netns exec $NS_C "${C_PIN[@]}" timeout $RUN_TIMEOUT tftp -m binary $SRV_IP 69 -c get $FILE $out >/dev/null 2>&1 ;;
    curl)    ip netns exec $NS_C "${C_PIN[@]}" timeout $RUN_TIMEOUT curl -sS --tftp-blksize $bs -o $out tftp://$SRV_IP/$FILE >/dev/null 2>&1 ;;
    busybox) ip netns exec $NS_C "${C_PIN[@]}" timeout $RUN_TIMEOUT busybox tftp -b $bs -g -r $FILE -l $out $SRV_IP >/dev/null 2>&1 ;;
    atftp)   ip netns exec $NS_C "${C_PIN[@]}" timeout $RUN_TIMEOUT atftp --option "blksize $bs" --option "windowsize $ws" -g -r $FILE -l $out $SRV_IP 69 >/dev/null 2>&1 ;;
  esac
  rc=$?
  e=$(echo "$(date +%s.%N) - $s" | bc)
  c1=$(cpu_ns "$server")
  if [ $rc -ne 0 ]; then echo "fail"; return; fi
  if [ "$(md5sum < $out | cut -d' ' -f1)" != "$SUM" ]; then echo "BADSUM"; return; fi
  # DATA blocks in the file: floor(size / blksize) + 1 (tftp-hpa's client uses 512).
  [[ $c0$c1 =~ ^[0-9]+$ ]] && cpu=$(echo "($c1 - $c0) / 1000 / (52428800 / ${bs:-512} + 1)" | bc -l | xargs printf '%.2f')
  printf '%s %s' "$(echo "$SIZE_MB / $e" | bc -l | xargs printf '%.1f')" "$cpu"
  rm -f $out
}

median() { tr ' ' '\n' | grep -E '^[0-9.]+$' | sort -n | awk '{v[NR]=$1} END {if (NR==0) print "-"; else print v[int((NR+1)/2)]}'; }

echo "servers on CPU $SERVER_CPU, clients on CPU $CLIENT_CPU (taskset); runs per cell: $REPS_SW stop-and-wait and w4, $REPS w16+; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for server in "${SERVERS[@]}"; do start_server $server || exit 1; done
echo "striker $(grep -m1 'socket addon' "$W/logs/striker.log")" >&2
declare -A RESULT CPU
for row in "${ROWS[@]}"; do
  IFS='|' read -r label client bs ws <<< "$row"
  declare -A RUNS=() CPUS=()
  for rep in $(seq 1 "$(reps_for "$ws")"); do
    for server in "${SERVERS[@]}"; do
      read -r rate cpu <<< "$(fetch "$server" "$client" "$bs" "$ws")"
      RUNS[$server]+="$rate "
      CPUS[$server]+="${cpu:--} "
    done
  done
  for server in "${SERVERS[@]}"; do
    RESULT["$server|$label"]=$(echo ${RUNS[$server]} | median)
    CPU["$server|$label"]=$(echo ${CPUS[$server]} | median)
    printf '%-10s %-16s runs: %-34s median %6s MB/s  %6s µs CPU/block\n' "$server" "$label" "${RUNS[$server]}" "${RESULT["$server|$label"]}" "${CPU["$server|$label"]}" >&2
  done
  unset RUNS CPUS
done

printf '\nservers on CPU %s, clients on CPU %s; median of %s (stop-and-wait, w4) / %s (w16+) runs, MB/s\n' "$SERVER_CPU" "$CLIENT_CPU" "$REPS_SW" "$REPS"
# One table of medians, Striker against the best peer: print_table ARRAY higher|lower
# (which way is better: MB/s higher, CPU µs lower).
print_table() {
  local -n table=$1
  local better=$2 row label best v ours ratio
  printf '%-18s %9s %9s %9s %9s  %s\n' "client/options" striker tftpd-hpa atftpd dnsmasq "striker/best"
  for row in "${ROWS[@]}"; do
    IFS='|' read -r label _ <<< "$row"
    best=0
    for peer in tftpd-hpa atftpd dnsmasq; do
      v=${table["$peer|$label"]}
      [[ $v =~ ^[0-9.]+$ ]] || continue
      if [ "$best" = 0 ]; then best=$v
      elif [ "$better" = higher ] && [ "$(echo "$v > $best" | bc)" = 1 ]; then best=$v
      elif [ "$better" = lower ] && [ "$(echo "$v < $best" | bc)" = 1 ]; then best=$v
      fi
    done
    ours=${table["striker|$label"]}
    ratio=-
    [[ $ours =~ ^[0-9.]+$ ]] && [ "$best" != 0 ] && ratio=$(echo "$ours / $best" | bc -l | xargs printf '%.2fx')
    printf '%-18s %9s %9s %9s %9s  %s\n' "$label" "$ours" "${table["tftpd-hpa|$label"]}" "${table["atftpd|$label"]}" "${table["dnsmasq|$label"]}" "$ratio"
  done
}
print_table RESULT higher
printf '\nserver CPU time per DATA block, µs (median; lower is better)\n'
print_table CPU lower
