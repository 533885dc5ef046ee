#!/bin/sh
# udhcpc hook for the rack bench: puts the leased address on the interface and keeps what the
# client needs next (next server, boot file) in /dev/shm/rk-lease-<hostid> (HOSTID from client.sh).
case "$1" in
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    printf 'siaddr=%s\nboot_file=%s\nip=%s\n' "${siaddr:-}" "${boot_file:-}" "$ip" > "/dev/shm/rk-lease-$HOSTID"
    ;;
  deconfig) ip addr flush dev "$interface" ;;
esac
exit 0
