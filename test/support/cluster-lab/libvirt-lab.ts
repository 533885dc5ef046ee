/**
 * A libvirt daemon per "host" of a test (LAB-CLUSTER.md §3): `libvirtd --listen` with the qemu
 * driver under TCG, no systemd, each in its own network and mount namespace with its own
 * /etc/libvirt, /var/lib/libvirt, /var/cache/libvirt, /var/log/libvirt and /run. Striker's resource
 * agent (cluster/servers/ocf) is bound over /usr/lib/ocf/resource.d/striker, so pacemaker in the
 * same namespaces runs it as `ocf:striker:server`, and the libvirt qemu hook calls it.
 *
 * Two ways to run one:
 * - `startLibvirtInLab(lab)`: in each node of a ClusterLab, as one of the node's services (started
 *   at every boot, killed with the node at power-off) and started at once in the running node;
 * - `StandaloneLibvirt.up(name)`: one daemon in a namespace of its own, for the agent's interop test.
 *
 * Every command goes through the command adapter with an argv array.
 */
import { accessSync, constants } from 'node:fs';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand, type CommandOptions, type CommandResult } from '../../../striker/core/command/run-command.js';
import { waitFor, type ClusterLab } from './cluster-lab.js';
import { plain } from './lab-scripts.js';

/** The repository's OCF provider directory (holds `server`). */
export const OCF_PROVIDER_DIR = fileURLToPath(new URL('../../../cluster/servers/ocf/', import.meta.url));
/** Where pacemaker and the hook find the agent inside a libvirt host's mount namespace. */
export const OCF_AGENT_PATH = '/usr/lib/ocf/resource.d/striker/server';

const run = (argv: readonly string[], options: Partial<CommandOptions> = {}) => runCommand(argv, { timeoutMs: 60_000, ...options });

export interface LibvirtHostConfig {
  /** The host's directory: etc, lib, cache, log, boot script, pid and output. */
  dir: string;
  /** Host name inside its UTS namespace (for a lab node: its node name). */
  hostname: string;
  /** Address libvirtd listens on for qemu+tcp and the address incoming migrations use (the MN). */
  listenAddress?: string;
  /** Differs per host: libvirt refuses to migrate to a host with its own UUID. */
  hostUuid: string;
}

/** libvirtd.conf additions: TCP without auth inside the private namespaces, logs to a file. */
export function renderLibvirtdConf(host: LibvirtHostConfig): string {
  const listen = host.listenAddress === undefined
    ? 'listen_tcp = 0\n'
    : `listen_tcp = 1\ntcp_port = "16509"\nlisten_addr = "${host.listenAddress}"\nauth_tcp = "none"\n`;
  return `\n# libvirt lab\nlisten_tls = 0\n${listen}auth_unix_rw = "none"\nhost_uuid = "${host.hostUuid}"\nlog_outputs = "3:file:/var/log/libvirt/libvirtd.log"\n`;
}

/** qemu.conf additions: root, no cgroups or namespaces (no systemd here), console to a file without virtlogd. */
export function renderQemuConf(host: LibvirtHostConfig): string {
  const migration = host.listenAddress === undefined ? '' : `migration_address = "${host.listenAddress}"\n`;
  return `\n# libvirt lab\nuser = "root"\ngroup = "root"\ndynamic_ownership = 0\nsecurity_driver = "none"\ncgroup_controllers = [ ]\nnamespaces = [ ]\nstdio_handler = "file"\n${migration}`;
}

/** /etc/libvirt/hooks/qemu as the agent package installs it. */
export const qemuHook = `#!/bin/sh\nexec ${OCF_AGENT_PATH} libvirt-hook "$@"\n`;

/**
 * The host's boot script, run inside its mount namespace (private /run already mounted): binds
 * its directories and the agent, then execs libvirtd (its pid is written to libvirtd.pid).
 */
export function renderLibvirtBootScript(host: LibvirtHostConfig): string {
  const d = plain(host.dir, 'libvirt host directory');
  const ocf = plain(OCF_PROVIDER_DIR.replace(/\/$/, ''), 'OCF provider directory');
  return `#!/bin/sh
# libvirtd of ${plain(host.hostname, 'host name')}
set -e
mount --bind ${d}/etc /etc/libvirt
mount --bind ${d}/lib /var/lib/libvirt
mount --bind ${d}/cache /var/cache/libvirt
mount --bind ${d}/log /var/log/libvirt
mkdir -p /usr/lib/ocf/resource.d/striker /run/libvirt /run/lock
mount --bind ${ocf} /usr/lib/ocf/resource.d/striker
echo $$ > ${d}/libvirtd.pid
exec libvirtd --listen
`;
}

/** The programs a libvirt host needs, with their Debian packages. */
const libvirtTools: Readonly<Record<string, string>> = {
  '/usr/sbin/libvirtd': 'libvirt-daemon-system-sysv',
  '/usr/bin/virsh': 'libvirt-clients',
  '/usr/bin/qemu-system-x86_64': 'qemu-system-x86',
  '/usr/bin/xmllint': 'libxml2-utils',
  '/usr/sbin/ocf-tester': 'resource-agents',
  '/usr/sbin/drbdadm': 'drbd-utils',
};

/** Throws one error naming every missing program and its package (a lab that skips quietly proves nothing). */
export function requireLibvirtTools(): void {
  const missing = Object.entries(libvirtTools).filter(([path]) => {
    try {
      accessSync(path, constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    throw new Error(`the libvirt lab needs ${missing.map(([t, p]) => `${t} (package ${p})`).join(', ')}; install them (test/system-packages.txt lists them)`);
  }
}

/** Writes a host's directories and configuration; returns the boot script's path. */
export async function prepareLibvirtHost(host: LibvirtHostConfig): Promise<string> {
  requireLibvirtTools();
  const d = host.dir;
  for (const sub of ['lib', 'cache', 'log']) await mkdir(join(d, sub), { recursive: true });
  await cp('/etc/libvirt', join(d, 'etc'), { recursive: true });
  // No default network (it would start dnsmasq); the domains need none.
  await run(['rm', '-rf', join(d, 'etc', 'qemu', 'networks', 'autostart')]);
  await mkdir(join(d, 'etc', 'qemu', 'networks', 'autostart'), { recursive: true });
  await mkdir(join(d, 'etc', 'hooks'), { recursive: true });
  await writeFile(join(d, 'etc', 'hooks', 'qemu'), qemuHook, { mode: 0o755 });
  const append = async (file: string, text: string) => writeFile(file, (await readFile(file, 'utf8')) + text);
  await append(join(d, 'etc', 'libvirtd.conf'), renderLibvirtdConf(host));
  await append(join(d, 'etc', 'qemu.conf'), renderQemuConf(host));
  const boot = join(d, 'libvirt-boot.sh');
  await writeFile(boot, renderLibvirtBootScript(host), { mode: 0o755 });
  return boot;
}

/** Polls `virsh version` (through `exec`) until the daemon answers; the first answer probes QEMU's capabilities. */
async function waitForLibvirtd(what: string, exec: (argv: readonly string[]) => Promise<CommandResult>, log: string): Promise<void> {
  try {
    await waitFor(`libvirtd of ${what} answers`, 90_000, async () => (await exec(['virsh', '-c', 'qemu:///system', 'version'])).stdout.includes('QEMU'), 500);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${await readFile(log, 'utf8').catch(() => '(no output)')}`);
  }
}

/** The host UUID of lab node n (they must differ). */
export const hostUuidOf = (n: number) => `5e7e0000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/**
 * A libvirtd in each node of the lab, listening on the node's MN address: a node service (every
 * later boot) and started now in the running nodes. Returns when both answer.
 */
export async function startLibvirtInLab(lab: ClusterLab, extraServices: (n: number) => readonly { argv: readonly string[]; env?: Readonly<Record<string, string>> }[] = () => []): Promise<void> {
  for (const node of lab.nodes) {
    const host: LibvirtHostConfig = { dir: join(node.dir, 'libvirt'), hostname: node.name, listenAddress: node.addresses.mn, hostUuid: hostUuidOf(node.index) };
    const boot = await prepareLibvirtHost(host);
    await lab.setServices(node.index, [{ argv: [boot] }, ...extraServices(node.index)]);
    await lab.exec(node.index, ['sh', '-c', `setsid ${boot} < /dev/null > ${join(host.dir, 'libvirtd.out')} 2>&1 &`]);
  }
  for (const node of lab.nodes) {
    await waitForLibvirtd(node.name, (argv) => lab.exec(node.index, argv), join(node.dir, 'libvirt', 'libvirtd.out'));
  }
}

/** `virsh` on a lab node against its own libvirtd. */
export async function virsh(lab: ClusterLab, n: number, args: readonly string[], options: Partial<CommandOptions> = {}): Promise<CommandResult> {
  return lab.exec(n, ['virsh', '-q', '-c', 'qemu:///system', ...args], options);
}

/**
 * One libvirtd in a network namespace of its own (`<name>`, loopback only) and a private mount
 * and UTS namespace: for tests of the agent without a cluster. `down()` kills it and deletes the namespace.
 */
export class StandaloneLibvirt {
  private constructor(readonly namespace: string, readonly dir: string, private readonly pid: number) {}

  static async up(namespace: string, dir: string): Promise<StandaloneLibvirt> {
    if (!/^[a-z][a-z0-9-]{0,14}$/.test(namespace)) throw new Error(`namespace name ${JSON.stringify(namespace)}: lower-case letters, digits and -, at most 15`);
    await StandaloneLibvirt.clean(namespace);
    await run(['ip', 'netns', 'add', namespace]);
    await run(['ip', '-n', namespace, 'link', 'set', 'lo', 'up']);
    const boot = await prepareLibvirtHost({ dir, hostname: namespace, hostUuid: hostUuidOf(99) });
    const wrapper = join(dir, 'namespace-boot.sh');
    await writeFile(wrapper, `#!/bin/sh\nset -e\nmount --make-rprivate /\nhostname ${plain(namespace, 'namespace')}\nmount -t tmpfs -o mode=755 tmpfs /run\nexec ${plain(boot, 'boot script')}\n`, { mode: 0o755 });
    await run(['sh', '-c', `setsid ip netns exec ${namespace} unshare -m -u ${wrapper} < /dev/null > ${join(dir, 'libvirtd.out')} 2>&1 &`]);
    const pid = await waitFor('libvirtd.pid', 10_000, async () => {
      const value = Number((await readFile(join(dir, 'libvirtd.pid'), 'utf8').catch(() => '')).trim());
      return value > 0 ? value : undefined;
    }, 100);
    const host = new StandaloneLibvirt(namespace, dir, pid);
    await waitForLibvirtd(namespace, (argv) => host.exec(argv), join(dir, 'libvirtd.out'));
    return host;
  }

  /** Runs `argv` in the daemon's namespaces. */
  exec(argv: readonly string[], options: Partial<CommandOptions> = {}): Promise<CommandResult> {
    return run(['nsenter', '-t', String(this.pid), '-n', '-m', '-u', ...argv], options);
  }

  async down(): Promise<void> {
    await StandaloneLibvirt.clean(this.namespace);
  }

  /** Kills every process in the namespace (libvirtd and its qemu) and deletes it. */
  private static async clean(namespace: string): Promise<void> {
    const list = (await run(['ip', 'netns', 'list'])).stdout.split('\n').map((l) => l.split(' ')[0]);
    if (!list.includes(namespace)) return;
    await waitFor(`no process left in ${namespace}`, 15_000, async () => {
      const pids = (await run(['ip', 'netns', 'pids', namespace])).stdout.split('\n').filter((l) => l.trim() !== '').map(Number);
      for (const pid of pids) {
        try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
      }
      return pids.length === 0;
    }, 200);
    await run(['ip', 'netns', 'del', namespace]);
  }
}
