#!/bin/bash
# Writes the crm_mon fixtures under cluster/fixtures/crm_mon/ from cluster states that
# crm_simulate produces offline: `CIB_file=<state> crm_mon --output-as=xml -1` on each.
# Run from the repository root; review the diff before committing.
set -euo pipefail
OUT=cluster/fixtures/crm_mon
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
N1=an-a01n01 N2=an-a01n02
cibadmin --empty > "$W/cib.xml"
CIB_file="$W/cib.xml" cibadmin --create -o nodes --xml-text "<node id=\"1\" uname=\"$N1\"/>"
CIB_file="$W/cib.xml" cibadmin --create -o nodes --xml-text "<node id=\"2\" uname=\"$N2\"/>"
P="pcs -f $W/cib.xml"
$P property set stonith-enabled=true
$P stonith create fence-$N1-ipmi fence_ipmilan ip=10.201.11.1 username=admin password=x lanplus=1 pcmk_host_list=$N1 op monitor interval=60s
$P stonith create fence-$N2-ipmi fence_ipmilan ip=10.201.11.2 username=admin password=x lanplus=1 pcmk_host_list=$N2 op monitor interval=60s
$P constraint location fence-$N1-ipmi avoids $N1
$P constraint location fence-$N2-ipmi avoids $N2
$P resource create srv01 ocf:heartbeat:Dummy op monitor interval=10s meta migration-threshold=1
$P constraint location srv01 prefers $N1=100
$P resource create web ocf:heartbeat:Dummy op monitor interval=10s --group app
$P resource create db ocf:heartbeat:Dummy op monitor interval=10s --group app
$P constraint location app prefers $N2=100
$P resource create ping ocf:heartbeat:Dummy op monitor interval=30s clone
sim() { crm_simulate -S -x "$1" -O "$2" "${@:3}" > /dev/null; }
mon() { CIB_file="$1" crm_mon --output-as=xml -1 > "$OUT/$2.xml"; }
sim "$W/cib.xml" "$W/up.xml" --node-up $N1 --node-up $N2 --quorum true
mon "$W/up.xml" both-online
# node1 fails: fenced, its resources move
sim "$W/up.xml" "$W/fenced.xml" --node-fail $N1
mon "$W/fenced.xml" node1-fenced
# node1 fails and nothing has run yet: unclean
crm_simulate -x "$W/up.xml" --node-fail $N1 -O "$W/unclean.xml" > /dev/null
mon "$W/unclean.xml" node1-unclean
# node2 in standby
cp "$W/up.xml" "$W/standby.xml"
CIB_file="$W/standby.xml" crm_attribute --node $N2 --name standby --update on
sim "$W/standby.xml" "$W/standby.xml"
mon "$W/standby.xml" node2-standby
# srv01's monitor finds it stopped on node1: a failed action, and it moves (migration-threshold=1)
sim "$W/up.xml" "$W/failed.xml" -i srv01_monitor_10000@$N1=7
mon "$W/failed.xml" srv01-failed
echo "wrote $(ls $OUT | wc -l) fixtures to $OUT"
