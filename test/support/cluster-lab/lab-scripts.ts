/**
 * The files the cluster lab writes (pure renderers): each node's boot script, each BMC's
 * ipmi_sim configuration and its chassis-control hook. The boot script and the hook are shell
 * because ipmi_sim runs the hook and the hook must boot the node; every path in them is checked
 * to be plain (letters, digits, `_ . / -`) so nothing needs quoting.
 */

export interface LabNodePaths {
  /** Node number: 1 or 2. */
  index: number;
  name: string;
  namespace: string;
  /** The node's own directory: etc-corosync, lib-pacemaker, logs, boot.pid, corosync.pid. */
  dir: string;
}

const PLAIN = /^[A-Za-z0-9_./-]+$/;

export function plain(value: string, what: string): string {
  if (!PLAIN.test(value)) throw new Error(`${what} '${value}' must be letters, digits, _ . / - only (it goes into a shell script unquoted)`);
  return value;
}

/** Directories bound over the host's inside the node's mount namespace: [node dir entry, mount point]. */
export const nodeBinds: readonly (readonly [string, string])[] = [
  ['etc-corosync', '/etc/corosync'],
  ['lib-pacemaker', '/var/lib/pacemaker'],
  ['lib-corosync', '/var/lib/corosync'],
  ['log-pacemaker', '/var/log/pacemaker'],
  ['log-corosync', '/var/log/corosync'],
  // Where corosync.conf as Striker renders it logs (cluster/corosync-plan.ts).
  ['log-cluster', '/var/log/cluster'],
  // A server's files as provisioning makes them (cluster/servers/provision-host.ts: resource files,
  // domain XML, step records) and the resource agent's migration records: each node its own.
  ['etc-drbd', '/etc/drbd.d'],
  ['etc-striker', '/etc/striker'],
  ['lib-striker', '/var/lib/striker'],
];

/** What a node's boot does about the cluster stack. */
export interface BootOptions {
  /**
   * true: corosync and pacemakerd start at every boot, pacemakerd as the boot process (the lab
   * configured the cluster). false: the node boots as a machine whose cluster is not set up yet —
   * the stack starts (cluster-start.sh) only when /etc/corosync/corosync.conf exists, as enabled
   * systemd units would, and the boot process only keeps the node's namespaces.
   */
  formed: boolean;
  /** A directory whose fence agents are laid over /usr/sbin inside the node (cluster/fence-delay/). */
  fenceAgentsDir?: string;
}

/**
 * Runs as `ip netns exec <ns> unshare -m -u boot.sh`: a private mount and UTS namespace, a private
 * /run and /dev/shm (corosync's pid lock, pacemaker's IPC, resource agents' state), the node's own
 * configuration and state directories, the node's services (services.sh, when the lab was given
 * some: a Striker agent, say), then `corosync -f` in the background and `pacemakerd` in the
 * foreground (its pid is the boot pid). A power-off kills the services with the rest of the node.
 */
export function renderBootScript(node: LabNodePaths, options: BootOptions = { formed: true }): string {
  const d = plain(node.dir, 'node directory');
  const binds = nodeBinds.map(([from, to]) => `mkdir -p ${to}; mount --bind ${d}/${from} ${to}`).join('\n');
  const agents = options.fenceAgentsDir === undefined ? '' : `mount -t overlay overlay -o lowerdir=${plain(options.fenceAgentsDir, 'fence agents directory')}:/usr/sbin /usr/sbin\n`;
  const stack = options.formed
    ? `corosync -f > ${d}/corosync.out 2>&1 &
echo $! > ${d}/corosync.pid
for k in $(seq 100); do corosync-cfgtool -s > /dev/null 2>&1 && break; sleep 0.2; done
PCMK_logfile=/var/log/pacemaker/pacemaker.log exec pacemakerd > ${d}/pacemakerd.out 2>&1
`
    : `if [ -f /etc/corosync/corosync.conf ]; then ${d}/cluster-start.sh >> ${d}/boot.out 2>&1; fi
exec sleep infinity
`;
  return `#!/bin/bash
# ${node.name}: runs inside its network namespace ${plain(node.namespace, 'namespace')} after unshare -m -u
set -e
mount --make-rprivate /
hostname ${plain(node.name, 'node name')}
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/crm /run/resource-agents /run/lock /run/user
ln -s /dev/shm /run/shm
chown hacluster:haclient /run/crm; chmod 750 /run/crm; chmod 1755 /run/resource-agents
${binds}
${agents}set +e
if [ -x ${d}/services.sh ]; then setsid ${d}/services.sh < /dev/null > ${d}/services.out 2>&1 & fi
${stack}`;
}

/**
 * What `systemctl enable --now corosync pacemaker` does on a node of an unformed lab, run inside
 * the node's namespaces (by its agent's start command, and by its boot once corosync.conf exists):
 * starts `corosync -f` and `pacemakerd` unless they run, detached, pids in corosync.pid and
 * pacemakerd.pid. Fails when there is no corosync.conf.
 */
export function renderClusterStartScript(node: LabNodePaths, conf = '/etc/corosync/corosync.conf'): string {
  const d = plain(node.dir, 'node directory');
  const c = plain(conf, 'corosync.conf path');
  return `#!/bin/bash
# start the cluster stack of ${node.name} unless it runs
d=${d}
running() { [ -f $d/$1.pid ] && kill -0 "$(cat $d/$1.pid)" 2> /dev/null; }
if [ ! -f ${c} ]; then echo "cluster-start: ${c} does not exist" >&2; exit 1; fi
if ! running corosync; then
  setsid corosync -f < /dev/null > $d/corosync.out 2>&1 &
  echo $! > $d/corosync.pid
  for k in $(seq 100); do corosync-cfgtool -s > /dev/null 2>&1 && break; sleep 0.2; done
fi
if ! running pacemakerd; then
  PCMK_logfile=/var/log/pacemaker/pacemaker.log setsid pacemakerd < /dev/null > $d/pacemakerd.out 2>&1 &
  echo $! > $d/pacemakerd.pid
fi
exit 0
`;
}

/**
 * Starts a node unless its boot process is alive: `setsid ip netns exec … unshare -m -u boot.sh`,
 * pid written to boot.pid. Used by the lab to boot and by a BMC's power-on.
 */
export function renderPowerOnScript(node: LabNodePaths): string {
  const d = plain(node.dir, 'node directory');
  return `#!/bin/bash
# power on ${node.name}: boot it unless it is running
if [ -f ${d}/boot.pid ] && kill -0 "$(cat ${d}/boot.pid)" 2> /dev/null; then exit 0; fi
setsid ip netns exec ${plain(node.namespace, 'namespace')} unshare -m -u ${d}/boot.sh < /dev/null > ${d}/boot.out 2>&1 &
echo $! > ${d}/boot.pid
`;
}

/**
 * ipmi_sim's chassis_control hook: `hook get power|boot…` or `hook set power 0|1 …`. Keeps the power
 * state in `<bmc dir>/power`, appends every call to `<bmc dir>/calls.log` (the BMC log the tests
 * read), and makes power real: off SIGKILLs every process in the node's network namespace (the
 * pacemaker daemons call setsid, so a process group is not enough), on runs the power-on script.
 */
export function renderChassisHook(bmcDir: string, node: LabNodePaths): string {
  const b = plain(bmcDir, 'BMC directory');
  const ns = plain(node.namespace, 'namespace');
  const on = `${plain(node.dir, 'node directory')}/power-on.sh`;
  return `#!/bin/sh
# chassis control of ${node.name}'s BMC
b=${b}; op=$1; shift
echo "$(date +%s) $op $*" >> $b/calls.log
[ -f $b/power ] || echo 1 > $b/power
off() { ip netns pids ${ns} | xargs -r kill -KILL; }
case $op in
  get) for p in "$@"; do case $p in
         power) echo "power:$(cat $b/power)";;
         boot) echo "boot:default";;
         *) echo "bad parm $p"; exit 1;; esac; done;;
  set) while [ $# -ge 2 ]; do case $1 in
         power) echo $2 > $b/power; if [ "$2" = 0 ]; then off; else ${on}; fi;;
         shutdown) echo 0 > $b/power; off;;
         reset) echo 1 > $b/power; off; sleep 0.5; ${on};;
         boot|identify) :;;
         *) echo "bad parm $1"; exit 1;; esac; shift 2; done;;
  *) echo "bad op $op"; exit 1;;
esac
exit 0
`;
}

export interface BmcListen {
  address: string;
  port: number;
}

/**
 * ipmi_sim's lan.conf: one LAN channel per address it listens on (ipmi_sim takes one address per
 * channel; a channel bound to one address answers from it, where one bound to 0.0.0.0 answers from
 * whichever address the route back picks), the admin user, the chassis hook.
 */
export function renderLanConf(name: string, listen: BmcListen | readonly BmcListen[], hook: string, user: { name: string; password: string }): string {
  const listens = Array.isArray(listen) ? listen : [listen as BmcListen];
  const channels = listens.map((l, i) => `  startlan ${i + 1}
    addr ${plain(l.address, 'BMC address')} ${l.port}
    priv_limit admin
    allowed_auths_callback none md2 md5 straight
    allowed_auths_user none md2 md5 straight
    allowed_auths_operator none md2 md5 straight
    allowed_auths_admin none md2 md5 straight
    guid a123456789abcdefa123456789abc${i}${String(l.port).slice(-2).padStart(2, '0')}
  endlan
`).join('');
  return `name "${plain(name, 'BMC name')}"
set_working_mc 0x20
${channels}  chassis_control "${plain(hook, 'hook path')}"
  user 2 true  "${plain(user.name, 'BMC user')}" "${plain(user.password, 'BMC password')}" admin 10 none md2 md5 straight
`;
}

/** The emulated management controller: a BMC with a SEL and no sensors. */
export const bmcEmu = `mc_setbmc 0x20
mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr
sel_enable 0x20 1000 0x0a
mc_enable 0x20
`;

/** Quotes one argument for a POSIX shell. */
export function shellQuote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** services.sh: each command started in the background at boot, with its environment; waits for them. */
export function renderServicesScript(commands: readonly { argv: readonly string[]; env?: Readonly<Record<string, string>> }[]): string {
  const lines = commands.map(({ argv, env }) => {
    if (argv.length === 0) throw new Error('a node service needs a non-empty argv');
    const vars = Object.entries(env ?? {}).map(([k, v]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`environment name '${k}' is not a shell variable name`);
      return `${k}=${shellQuote(v)} `;
    }).join('');
    return `${vars}${argv.map(shellQuote).join(' ')} &`;
  });
  return `#!/bin/sh\n${lines.join('\n')}\nwait\n`;
}
