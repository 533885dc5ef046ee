#!/bin/bash
# TFTP: Striker vs tftpd-hpa, atftpd and dnsmasq (TFTP only) serving a first-stage loader —
# 1 MB and 4 MB files, what TFTP carries before HTTP takes over — with the same clients and
# options, in one run. Run by hand as root (not part of `npm test`), under the shared
# benchmark lock:
#   flock /tmp/stk-bench.lock bash test/bench/tftp/run.sh          # the PXE rows, 1 MB and 4 MB
#   FULL=1 ...                     # every client × blksize × windowsize
#   SIZES='1 4' ...                # loader sizes in MB
#   ONLY='curl 1468|atftp 1468 w4' # only rows whose label (without the size) matches this regex
#   REPS=7 ...                     # runs per cell (median)
#   SAME_CPU=1 ...                 # diagnostic: clients on the servers' CPU (see below)
#   PARALLEL=50 ...                # each run is that many clients fetching at once (a rack powering
#                                  # on: lockstep transfers sharing the server); MB/s is their total
#   PEERS='tftpd-hpa' ...          # which C servers run (default all three; '' for none)
#   VARIANTS='striker dgram:nativeSockets=false old@/tmp/old-checkout'
#                                  # several Striker servers side by side, each NAME[@DIR][:KEY=VALUE,…]
#                                  # with tftp config keys, DIR another checkout of this
#                                  # repository with its addon built (default: one, `striker`)
# Topology: two network namespaces joined by a veth pair (as in LAB.md): stk-tftp-bs holds all
# servers at once, each on its own address, port 69 (10.79.0.1 upwards); stk-tftp-bc
# (10.79.0.200) runs the clients. Runs are interleaved across servers (row by row, repetition
# by repetition), so load from elsewhere on the machine hits all alike.
# CPU pinning: every server runs on CPU $SERVER_CPU (default 1), every client on CPU $CLIENT_CPU
# (default 0), with taskset — the realistic case of a client on another machine.
# Prints every run, then three tables of medians with the ratio Striker / best peer (or, with
# VARIANTS, each variant against the first): MB/s; server CPU ms per MB (from a cgroup-v1
# cpuacct group per server, threads and forked children included); and the server's CPU per
# DATA block in µs.
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
read -r -a SIZES <<< "${SIZES:-1 4}"
NS_S=stk-tftp-bs
NS_C=stk-tftp-bc
REPS=${REPS:-7}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
[ "${SAME_CPU:-0}" = 1 ] && CLIENT_CPU=$SERVER_CPU
S_PIN=(taskset -c "$SERVER_CPU")
C_PIN=(taskset -c "$CLIENT_CPU")
RUN_TIMEOUT=${RUN_TIMEOUT:-40}
read -r -a PEER_SERVERS <<< "${PEERS-tftpd-hpa atftpd dnsmasq}"
read -r -a VARIANT_SPECS <<< "${VARIANTS:-striker}"
declare -A IP SETTINGS CODE
SERVERS=()
n=1
for spec in "${VARIANT_SPECS[@]}"; do
  head=${spec%%:*}; settings=''; [[ $spec == *:* ]] && settings=${spec#*:}
  name=${head%%@*}; code=$REPO; [[ $head == *@* ]] && code=${head#*@}
  SETTINGS[$name]=$settings; CODE[$name]=$code
  SERVERS+=("$name"); IP[$name]=10.79.0.$n; n=$((n + 1))
done
STRIKERS=("${SERVERS[@]}")
for peer in "${PEER_SERVERS[@]}"; do SERVERS+=("$peer"); IP[$peer]=10.79.0.$n; n=$((n + 1)); done

mkdir -p "$W/root" "$W/debs" "$W/logs"
chmod 755 "$W" "$W/root"
declare -A SUM
for mb in "${SIZES[@]}"; do
  f="$W/root/loader-$mb.bin"
  [ -f "$f" ] || head -c $((mb * 1048576)) /dev/urandom > "$f"
  chmod 644 "$f"
  SUM[$mb]=$(md5sum < "$f" | cut -d' ' -f1)
done
echo small > "$W/root/probe.txt"; chmod 644 "$W/root/probe.txt"

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
# a variant with nativeSockets=false uses node:dgram instead.
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
  rm -f /dev/shm/stk-tftp-probe.out /dev/shm/stk-tftp-bench.out*
  sleep 0.3
  for d in "$CG"/stk-tftp-*; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
}
trap cleanup EXIT
cleanup
ip netns add $NS_S && ip netns add $NS_C
ip link add vs0 netns $NS_S type veth peer name vc0 netns $NS_C
ip -n $NS_S link set lo up; ip -n $NS_C link set lo up
for s in "${SERVERS[@]}"; do ip -n $NS_S addr add ${IP[$s]}/24 dev vs0; done
ip -n $NS_C addr add 10.79.0.200/24 dev vc0
ip -n $NS_S link set vs0 up; ip -n $NS_C link set vc0 up

start_server() {
  local ip=${IP[$1]}
  case $1 in
    tftpd-hpa|atftpd|dnsmasq) ;;
    *)         ip netns exec $NS_S "${S_PIN[@]}" node --import tsx "${CODE[$1]}/test/bench/tftp/striker-tftpd.ts" $ip 69 "$W/root" "${SETTINGS[$1]}" > "$W/logs/$1.log" 2>&1 & ;;
  esac
  case $1 in
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

# row label | client | blksize | windowsize. The default rows are what PXE clients do: iPXE
# and most firmware stop-and-wait at about 1468 (curl, busybox), tftp-hpa's 512 (old ROMs),
# and RFC 7440 windows (atftp; OVMF asks for windowsize 4 when configured to).
ROWS=()
if [ "${FULL:-0}" = 1 ]; then
  ROWS+=("tftp-hpa 512|hpa||")
  for bs in 512 1468 8192 65464; do ROWS+=("curl $bs|curl|$bs|" "busybox $bs|busybox|$bs|"); done
  for bs in 512 1468 8192 65464; do
    for ws in 1 4 16 64; do
      # A window larger than the client's socket receive buffer (~208 KiB) overflows it with
      # every server, so such rows only measure loss recovery.
      [ $((bs * ws)) -gt 131072 ] && continue
      ROWS+=("atftp $bs w$ws|atftp|$bs|$ws")
    done
  done
else
  ROWS=("tftp-hpa 512|hpa||" "curl 1468|curl|1468|" "busybox 1468|busybox|1468|" "atftp 1468 w4|atftp|1468|4" "atftp 1468 w16|atftp|1468|16")
fi
if [ -n "${ONLY:-}" ]; then
  KEEP=()
  for row in "${ROWS[@]}"; do [[ ${row%%|*} =~ ^($ONLY)$ ]] && KEEP+=("$row"); done
  ROWS=("${KEEP[@]}")
fi
# Every row once per loader size: "label|client|blksize|windowsize|MB".
SIZED=()
for mb in "${SIZES[@]}"; do for row in "${ROWS[@]}"; do IFS='|' read -r label rest <<< "$row"; SIZED+=("$label ${mb}M|$rest|$mb"); done; done
ROWS=("${SIZED[@]}")

cpu_ns() { cat "$CG/stk-tftp-$1/cpuacct.usage" 2>/dev/null || echo -; }

# Clients write to files under /dev/shm, never to /dev/null: busybox tftp unlinks its local
# file when a transfer fails, and a later `> /dev/null` then makes it a regular file.
PARALLEL=${PARALLEL:-1}
# One client's fetch of FILE from SRV_IP into OUT (arguments: client blksize windowsize).
get() {
  local client=$1 bs=$2 ws=$3
  case $client in
    hpa)     ip netns exec $NS_C "${C_PIN[@]}" timeout $RUN_TIMEOUT tftp -m binary $SRV_IP 69 -c get $FILE $OUT >/dev/null 2>&1 ;;
    curl)    ip netns exec $NS_C "${C_PIN[@]}" timeout $RUN_TIMEOUT curl -sS --tftp-blksize $bs -o $OUT tftp://$SRV_IP/$FILE >/dev/null 2>&1 ;;
    busybox) ip netns exec $NS_C "${C_PIN[@]}" timeout $RUN_TIMEOUT busybox tftp -b $bs -g -r $FILE -l $OUT $SRV_IP >/dev/null 2>&1 ;;
    atftp)   ip netns exec $NS_C "${C_PIN[@]}" timeout $RUN_TIMEOUT atftp --option "blksize $bs" --option "windowsize $ws" -g -r $FILE -l $OUT $SRV_IP 69 >/dev/null 2>&1 ;;
  esac
}

fetch() { # server client blksize windowsize MB → prints "MB/s CPU-ms-per-MB CPU-µs-per-block" or a failure word
  local server=$1 client=$2 bs=$3 ws=$4 mb=$5
  local SRV_IP=${IP[$server]} FILE=loader-$5.bin bytes=$(($5 * 1048576 * PARALLEL))
  local s e rc=0 c0 c1 cpu_mb=- cpu_block=- k OUT pids=()
  rm -f /dev/shm/stk-tftp-bench.out*
  c0=$(cpu_ns "$server")
  s=$(date +%s.%N)
  if [ "$PARALLEL" = 1 ]; then
    OUT=/dev/shm/stk-tftp-bench.out get "$client" "$bs" "$ws"; rc=$?
  else
    for k in $(seq 1 "$PARALLEL"); do OUT=/dev/shm/stk-tftp-bench.out.$k get "$client" "$bs" "$ws" & pids+=($!); done
    for k in "${pids[@]}"; do wait "$k" || rc=1; done
  fi
  e=$(echo "$(date +%s.%N) - $s" | bc)
  c1=$(cpu_ns "$server")
  if [ $rc -ne 0 ]; then echo "fail"; return; fi
  for k in /dev/shm/stk-tftp-bench.out*; do
    if [ "$(md5sum < "$k" | cut -d' ' -f1)" != "${SUM[$mb]}" ]; then echo "BADSUM"; return; fi
  done
  if [[ $c0$c1 =~ ^[0-9]+$ ]]; then
    cpu_mb=$(echo "($c1 - $c0) / 1000000 / ($mb * $PARALLEL)" | bc -l | xargs printf '%.2f')
    # DATA blocks in the file: floor(size / blksize) + 1 (tftp-hpa's client uses 512).
    cpu_block=$(echo "($c1 - $c0) / 1000 / (($mb * 1048576 / ${bs:-512} + 1) * $PARALLEL)" | bc -l | xargs printf '%.2f')
  fi
  printf '%s %s %s' "$(echo "$bytes / 1000000 / $e" | bc -l | xargs printf '%.1f')" "$cpu_mb" "$cpu_block"
  rm -f /dev/shm/stk-tftp-bench.out*
}

median() { tr ' ' '\n' | grep -E '^[0-9.]+$' | sort -n | awk '{v[NR]=$1} END {if (NR==0) print "-"; else print v[int((NR+1)/2)]}'; }

echo "servers on CPU $SERVER_CPU, clients on CPU $CLIENT_CPU (taskset); $REPS runs per cell, $PARALLEL client(s) at once; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for server in "${SERVERS[@]}"; do start_server $server || exit 1; done
for v in "${STRIKERS[@]}"; do echo "$v (${SETTINGS[$v]:-defaults}): $(grep -m1 'transfer sockets' "$W/logs/$v.log")" >&2; done
declare -A RESULT CPU BLOCK
for row in "${ROWS[@]}"; do
  IFS='|' read -r label client bs ws mb <<< "$row"
  declare -A RUNS=() CPUS=() BLOCKS=()
  for rep in $(seq 1 "$REPS"); do
    for server in "${SERVERS[@]}"; do
      read -r rate cpu block <<< "$(fetch "$server" "$client" "$bs" "$ws" "$mb")"
      RUNS[$server]+="$rate "
      CPUS[$server]+="${cpu:--} "
      BLOCKS[$server]+="${block:--} "
    done
  done
  for server in "${SERVERS[@]}"; do
    RESULT["$server|$label"]=$(echo ${RUNS[$server]} | median)
    CPU["$server|$label"]=$(echo ${CPUS[$server]} | median)
    BLOCK["$server|$label"]=$(echo ${BLOCKS[$server]} | median)
    printf '%-10s %-20s runs: %-40s median %6s MB/s  %6s ms CPU/MB  %6s µs CPU/block\n' "$server" "$label" "${RUNS[$server]}" "${RESULT["$server|$label"]}" "${CPU["$server|$label"]}" "${BLOCK["$server|$label"]}" >&2
  done
  unset RUNS CPUS BLOCKS
done

# One table of medians: print_table ARRAY higher|lower (which way is better). The ratio is the
# first Striker against the best C server, or with several Striker variants and no C servers,
# each variant against the first.
print_table() {
  local -n table=$1
  local better=$2 row label best v ours ratio server
  printf '%-20s' "client/options"
  for server in "${SERVERS[@]}"; do printf ' %10s' "$server"; done
  if [ ${#PEER_SERVERS[@]} -gt 0 ]; then printf '  %s\n' "${STRIKERS[0]}/best"; else printf '  %s\n' "ratios to ${STRIKERS[0]}"; fi
  for row in "${ROWS[@]}"; do
    IFS='|' read -r label _ <<< "$row"
    printf '%-20s' "$label"
    for server in "${SERVERS[@]}"; do printf ' %10s' "${table["$server|$label"]}"; done
    ours=${table["${STRIKERS[0]}|$label"]}
    if [ ${#PEER_SERVERS[@]} -gt 0 ]; then
      best=0
      for peer in "${PEER_SERVERS[@]}"; do
        v=${table["$peer|$label"]}
        [[ $v =~ ^[0-9.]+$ ]] || continue
        if [ "$best" = 0 ]; then best=$v
        elif [ "$better" = higher ] && [ "$(echo "$v > $best" | bc)" = 1 ]; then best=$v
        elif [ "$better" = lower ] && [ "$(echo "$v < $best" | bc)" = 1 ]; then best=$v
        fi
      done
      ratio=-
      [[ $ours =~ ^[0-9.]+$ ]] && [ "$best" != 0 ] && ratio=$(echo "$ours / $best" | bc -l | xargs printf '%.2fx')
      printf '  %s\n' "$ratio"
    else
      for server in "${STRIKERS[@]:1}"; do
        v=${table["$server|$label"]}; ratio=-
        [[ $v$ours =~ ^[0-9.]+$ ]] && [ "$(echo "$ours > 0" | bc)" = 1 ] && ratio=$(echo "$v / $ours" | bc -l | xargs printf '%.2fx')
        printf '  %s %s' "$server" "$ratio"
      done
      printf '\n'
    fi
  done
}
printf '\nservers on CPU %s, clients on CPU %s; median of %s runs; %s client(s) at once\n' "$SERVER_CPU" "$CLIENT_CPU" "$REPS" "$PARALLEL"
printf '\nthroughput, MB/s (higher is better)\n'
print_table RESULT higher
printf '\nserver CPU per MB served, ms (lower is better)\n'
print_table CPU lower
printf '\nserver CPU per DATA block, µs (lower is better)\n'
print_table BLOCK lower
