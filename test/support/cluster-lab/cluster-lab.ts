/**
 * A real two-node corosync + pacemaker cluster on one machine, for tests (after the lab in
 * lab/cluster/pacemaker-netns, LAB.md):
 *
 * - each node (`<prefix>-n1`, `<prefix>-n2`) is its own network namespace, and its daemons run in their own
 *   mount and UTS namespace with a private /run and /dev/shm and its own /etc/corosync and
 *   /var/lib/pacemaker (lab-scripts.ts);
 * - two links per node: `bcn1` (198.18.1.<n>/24) and `mn1` (198.18.2.<n>/24), veths to the
 *   bridges `bcn` and `mn` in the hub namespace `<prefix>-hub`; corosync (knet) uses the BCN as link 0
 *   and the MN as link 1; the hub side of a veth going down cuts that link;
 * - `corosync -f` and `pacemakerd` without systemd; corosync.conf from `pcs cluster setup
 *   --corosync_conf` (local mode: no pcsd), one authkey from `corosync-keygen` for both nodes;
 * - one `ipmi_sim` BMC per node in the hub, on ports 6231/6232 of 127.0.0.1 (the hub's loopback, for
 *   the test) and of 198.18.1.254 (the BCN, for fence_ipmilan on the nodes); its chassis power
 *   off SIGKILLs every process of that node and power on boots it again. Nodes are booted through
 *   their BMC (`chassis power on`), the same path fencing uses.
 *
 * With `up({ formed: false })` the nodes are machines whose cluster is not set up yet: no
 * corosync.conf, no authkey, nothing started at boot but the node's services (a Striker agent,
 * `setServices`) until /etc/corosync/corosync.conf exists — then the boot starts the stack as
 * enabled systemd units would (`cluster-start.sh`, which is also the agent's start command:
 * `clusterStartCommand(n)`). Such a lab leaves the nodes off: the test powers them on (`powerOn`)
 * once their services are set.
 *
 * Every command goes through the command adapter with an argv array. `down()` kills the processes
 * of its own namespaces and the ipmi_sim processes it started, by pid, and deletes its namespaces.
 * Labs are told apart by a prefix (`cl` unless given: namespaces `<prefix>-n1`, `<prefix>-n2`,
 * `<prefix>-hub`), so test files with different prefixes run at once; one lab runs per prefix: a
 * lock file names the process that owns it, and a second `up()` with that prefix fails.
 */
import { chmod, chown, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { runCommand, type CommandOptions, type CommandResult } from '../../../striker/core/command/run-command.js';
import { requireLabTools } from './lab-tools.js';
import { bmcEmu, nodeBinds, renderBootScript, renderChassisHook, renderClusterStartScript, renderLanConf, renderPowerOnScript, renderServicesScript, type LabNodePaths } from './lab-scripts.js';

/** The prefix of the lab's namespaces when `up()` is given none. */
export const DEFAULT_LAB_PREFIX = 'cl';
export const CLUSTER_NAME = 'labcl';
export const BMC_USER = { name: 'admin', password: 'secret' } as const;
/** The BMCs' address on the BCN, as the nodes reach them. */
export const BMC_BCN_ADDRESS = '198.18.1.254';

export type LabLink = 'bcn' | 'mn';

export interface LabNode extends LabNodePaths {
  /** Address on each link. */
  addresses: Record<LabLink, string>;
  bmcPort: number;
  bmcDir: string;
}

const run = (argv: readonly string[], options: Partial<CommandOptions> = {}) => runCommand(argv, { timeoutMs: 30_000, ...options });

/** `up({ bmc })`: a node's BMC emulation (ipmi_sim's .emu text, e.g. with sensors) and lines added to its lan.conf. */
export type LabBmcSetup = (node: LabNode) => Promise<{ emu: string; lanConf: string }>;

/** cluster/fence-delay/: laid over /usr/sbin inside each node, so pcs and the fencer know `fence_delay`. */
const fenceDelayDir = fileURLToPath(new URL('../../../cluster/fence-delay', import.meta.url));

export interface ClusterLabOptions {
  /** Names the namespaces and the lock (default `cl`). */
  prefix?: string;
  /** The third octet of 198.19.<n>.0/24 for a veth from the test's namespace to the hub. */
  uplink?: number;
  /** false: nodes with no cluster configured, left off (see the class comment). Default true. */
  formed?: boolean;
  /** The nodes' host names (default node1, node2); an unformed lab's cluster takes them from corosync.conf. */
  nodeNames?: readonly [string, string];
  /** Each node's BMC emulation (ipmi_sim's .emu text, e.g. with sensors) and lines added to its lan.conf. */
  bmc?: LabBmcSetup;
}

export class ClusterLab {
  private readonly bmcProcesses: ResultPromise[] = [];
  private readonly hubProcesses: ResultPromise[] = [];

  /** The hub namespace: bridges, BMCs and whatever `spawnInHub` starts. */
  readonly hub: string;

  private constructor(readonly prefix: string, readonly dir: string, readonly nodes: readonly LabNode[], private readonly uplink: number | undefined, readonly formed: boolean, private readonly bmcSetup?: LabBmcSetup) {
    this.hub = `${prefix}-hub`;
  }

  /**
   * With `up({ uplink: n })`: the address in the test's namespace (198.19.<n>.1, a veth to the hub's
   * 198.19.<n>.2) where a program of the test — a Striker — listens for the nodes; `forwardFromHub`
   * carries their connections to it.
   */
  get uplinkAddress(): string {
    if (this.uplink === undefined) throw new Error('this lab was started without an uplink: ClusterLab.up({ uplink: n })');
    return `198.19.${this.uplink}.1`;
  }

  /**
   * Makes `port` of the uplink address reachable from the nodes as `http://198.18.1.254:<port>` (the
   * hub's BCN address): a TCP forwarder in the hub (tcp-forward.mjs), killed by `down()`. Returns
   * the URL the nodes use.
   */
  async forwardFromHub(port: number): Promise<string> {
    const target = this.uplinkAddress;
    const script = fileURLToPath(new URL('./tcp-forward.mjs', import.meta.url));
    const child = this.spawnInHub(`forward-${port}`, [process.execPath, script, BMC_BCN_ADDRESS, String(port), target, String(port)]);
    await waitFor(`the hub forwards ${BMC_BCN_ADDRESS}:${port} to ${target}:${port}`, 10_000, async () => {
      if (child.exitCode !== null) throw new Error(`tcp-forward exited: ${await readFile(join(this.dir, `forward-${port}.err`), 'utf8').catch(() => '')}`);
      return (await readFile(join(this.dir, `forward-${port}.out`), 'utf8').catch(() => '')).includes('listening');
    }, 100);
    return `http://${BMC_BCN_ADDRESS}:${port}`;
  }

  /**
   * Builds the namespaces, links, configuration and BMCs, and powers both nodes on through their BMCs.
   * `prefix` (lower-case letters and digits, at most 8) names the lab's namespaces and lock.
   */
  static async up(options: ClusterLabOptions = {}): Promise<ClusterLab> {
    const prefix = options.prefix ?? DEFAULT_LAB_PREFIX;
    if (!/^[a-z][a-z0-9]{0,7}$/.test(prefix)) throw new Error(`cluster lab prefix ${JSON.stringify(prefix)}: lower-case letters and digits, at most 8`);
    if (options.uplink !== undefined && !(Number.isInteger(options.uplink) && options.uplink >= 1 && options.uplink <= 254)) {
      throw new Error(`cluster lab uplink ${options.uplink}: the third octet of 198.19.<n>.0/24, 1 to 254`);
    }
    requireLabTools();
    await takeLabLock(prefix);
    await removeNamespaces(prefix);
    const dir = await mkdtemp(join(tmpdir(), `${prefix}-lab-`));
    await chmod(dir, 0o755);
    const formed = options.formed ?? true;
    const nodes: LabNode[] = [1, 2].map((index) => ({
      index,
      name: options.nodeNames?.[index - 1] ?? `node${index}`,
      namespace: `${prefix}-n${index}`,
      dir: join(dir, `node${index}`),
      addresses: { bcn: `198.18.1.${index}`, mn: `198.18.2.${index}` },
      bmcPort: 6230 + index,
      bmcDir: join(dir, `bmc${index}`),
    }));
    const lab = new ClusterLab(prefix, dir, nodes, options.uplink, formed, options.bmc);
    try {
      await lab.network();
      await lab.configure();
      await lab.startBmcs();
      if (formed) for (const node of nodes) await lab.powerOn(node.index);
    } catch (error) {
      await lab.down();
      throw error;
    }
    return lab;
  }

  /** Powers the node on through its BMC (`chassis power on`): it boots unless it runs. */
  async powerOn(index: number): Promise<void> {
    await this.ipmitool(index, ['chassis', 'power', 'on']);
  }

  /**
   * With an uplink, node n's BMC also answers on 198.19.<uplink>.<n + 1>, an address of the hub
   * that the test's namespace (a Striker checking BMCs) and the nodes (fence_ipmilan, by a route
   * through the hub) both reach, port `bmcUplinkPort(n)`. The address a manifest gives both.
   */
  bmcUplinkAddress(index: number): string {
    if (this.uplink === undefined) throw new Error('this lab was started without an uplink: ClusterLab.up({ uplink: n })');
    return `198.19.${this.uplink}.${this.node(index).index + 1}`;
  }

  /** The port of node n's BMC on its uplink address (a LAN channel of its own, so it answers from that address). */
  bmcUplinkPort(index: number): number {
    return this.node(index).bmcPort + 100;
  }

  /** The argv that starts node n's cluster stack from inside the node (its agent's start command). */
  clusterStartCommand(index: number): string[] {
    return [join(this.node(index).dir, 'cluster-start.sh')];
  }

  /** The MAC address of a node's link (its NIC on that network). */
  async linkMac(index: number, link: LabLink): Promise<string> {
    const out = await run(['ip', '-n', this.node(index).namespace, '-o', 'link', 'show', `${link}1`]);
    const mac = /link\/ether ([0-9a-f:]{17})/.exec(out.stdout)?.[1];
    if (mac === undefined) throw new Error(`no MAC on ${link}1 of node${index}: ${out.stdout}`);
    return mac;
  }

  node(index: number): LabNode {
    const node = this.nodes.find((n) => n.index === index);
    if (node === undefined) throw new Error(`the lab has no node ${index}`);
    return node;
  }

  /** Runs `argv` in the node's namespaces (those of its boot process); throws when the node is down. */
  async exec(index: number, argv: readonly string[], options: Partial<CommandOptions> = {}): Promise<CommandResult> {
    const pid = await this.bootPid(index);
    if (pid === undefined) throw new Error(`node${index} is not running`);
    return run(['nsenter', '-t', String(pid), '-n', '-m', '-u', ...argv], options);
  }

  /** Runs `argv` in the node's network namespace only (the node need not be running: a machine's NIC before it booted). */
  async execInNetwork(index: number, argv: readonly string[], options: Partial<CommandOptions> = {}): Promise<CommandResult> {
    return run(['ip', 'netns', 'exec', this.node(index).namespace, ...argv], options);
  }

  /** The pid of the node's boot process (pacemakerd in a formed lab), when it is alive. */
  async bootPid(index: number): Promise<number | undefined> {
    const pid = Number((await readFile(join(this.node(index).dir, 'boot.pid'), 'utf8').catch(() => '')).trim());
    return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
  }

  /** `ipmitool` against the node's BMC from the hub (lanplus, cipher suite 3 as LAB.md says). */
  async ipmitool(index: number, args: readonly string[]): Promise<CommandResult> {
    const node = this.node(index);
    return run(['ip', 'netns', 'exec', this.hub, 'ipmitool', '-I', 'lanplus', '-C', '3', '-H', '127.0.0.1', '-p', String(node.bmcPort),
      '-U', BMC_USER.name, '-P', BMC_USER.password, ...args]);
  }

  /** The BMC's chassis-control log, one call per line: `<epoch> set power 0`. */
  async bmcCalls(index: number): Promise<string[]> {
    const text = await readFile(join(this.node(index).bmcDir, 'calls.log'), 'utf8').catch(() => '');
    return text.split('\n').filter((l) => l !== '');
  }

  /** Takes one of a node's links down or up (the hub end of its veth: the node sees no carrier). */
  async setLink(index: number, link: LabLink, up: boolean): Promise<void> {
    await run(['ip', '-n', this.hub, 'link', 'set', hubPort(index, link), up ? 'up' : 'down']);
  }

  /** SIGKILLs the node's corosync (its pid from the boot script), as a crash would. */
  async killCorosync(index: number): Promise<number> {
    const pid = Number((await readFile(join(this.node(index).dir, 'corosync.pid'), 'utf8')).trim());
    process.kill(pid, 'SIGKILL');
    return pid;
  }

  /** The pids in a node's network namespace. */
  async namespacePids(index: number): Promise<number[]> {
    const out = await run(['ip', 'netns', 'pids', this.node(index).namespace]);
    return out.stdout.split('\n').filter((l) => l.trim() !== '').map(Number);
  }

  /**
   * Programs a node starts at every boot, in its namespaces, before corosync (a Striker agent, say);
   * they take effect at the next boot and die with the node at power-off. Output in services.out.
   */
  async setServices(index: number, commands: readonly { argv: readonly string[]; env?: Readonly<Record<string, string>> }[]): Promise<void> {
    await writeFile(join(this.node(index).dir, 'services.sh'), renderServicesScript(commands), { mode: 0o755 });
  }

  /**
   * Starts a long-running program in the hub namespace, which reaches every node on the BCN
   * (198.18.1.254) and nothing outside; `down()` kills it. Output in `<lab dir>/<name>.out` and `.err`.
   */
  spawnInHub(name: string, argv: readonly string[], env: Readonly<Record<string, string>> = {}): ResultPromise {
    const child = execa('ip', ['netns', 'exec', this.hub, ...argv], {
      stdin: 'ignore', stdout: { file: join(this.dir, `${name}.out`) }, stderr: { file: join(this.dir, `${name}.err`) }, env, reject: false,
    });
    this.hubProcesses.push(child);
    return child;
  }

  /** The last lines of each node's boot, corosync and pacemakerd output: for a failure message. */
  async diagnostics(): Promise<string> {
    const parts: string[] = [];
    for (const node of this.nodes) {
      for (const file of ['boot.out', 'corosync.out', 'pacemakerd.out']) {
        const text = await readFile(join(node.dir, file), 'utf8').catch(() => '(none)');
        parts.push(`--- ${node.name} ${file}\n${text.split('\n').slice(-15).join('\n')}`);
      }
    }
    return parts.join('\n');
  }

  async down(): Promise<void> {
    for (const node of this.nodes) await killNamespace(this.prefix, node.namespace);
    const ours = [...this.hubProcesses, ...this.bmcProcesses];
    for (const p of ours) p.kill('SIGKILL');
    await Promise.allSettled(ours);
    await removeNamespaces(this.prefix);
    if (process.env['KEEP_CLUSTER_LAB'] !== '1') await rm(this.dir, { recursive: true, force: true });
    await releaseLabLock(this.prefix);
  }

  private async network(): Promise<void> {
    for (const ns of [this.hub, ...this.nodes.map((n) => n.namespace)]) {
      await run(['ip', 'netns', 'add', ns]);
      await run(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    }
    for (const link of ['bcn', 'mn'] as const) {
      await run(['ip', '-n', this.hub, 'link', 'add', link, 'type', 'bridge']);
      await run(['ip', '-n', this.hub, 'link', 'set', link, 'up']);
      for (const node of this.nodes) {
        const port = hubPort(node.index, link);
        await run(['ip', '-n', this.hub, 'link', 'add', port, 'type', 'veth', 'peer', 'name', `${link}1`, 'netns', node.namespace]);
        await run(['ip', '-n', this.hub, 'link', 'set', port, 'master', link, 'up']);
        await run(['ip', '-n', node.namespace, 'addr', 'add', `${node.addresses[link]}/24`, 'dev', `${link}1`]);
        await run(['ip', '-n', node.namespace, 'link', 'set', `${link}1`, 'up']);
      }
    }
    await run(['ip', '-n', this.hub, 'addr', 'add', `${BMC_BCN_ADDRESS}/24`, 'dev', 'bcn']);
    if (this.uplink !== undefined) {
      // The test's end of the uplink lives in the test's namespace; deleting the hub deletes it.
      const here = `${this.prefix}-up`;
      await run(['ip', 'link', 'del', here]).catch(() => undefined);
      await run(['ip', 'link', 'add', here, 'type', 'veth', 'peer', 'name', 'up0', 'netns', this.hub]);
      await run(['ip', 'addr', 'add', `198.19.${this.uplink}.1/24`, 'dev', here]);
      await run(['ip', 'link', 'set', here, 'up']);
      // .2 and .3: the hub's own, where the BMCs (listening on any address of the hub) answer too.
      for (const node of this.nodes) await run(['ip', '-n', this.hub, 'addr', 'add', `198.19.${this.uplink}.${node.index + 1}/24`, 'dev', 'up0']);
      await run(['ip', '-n', this.hub, 'link', 'set', 'up0', 'up']);
      // The nodes reach those addresses through the hub (its own: nothing is forwarded).
      for (const node of this.nodes) await run(['ip', '-n', node.namespace, 'route', 'add', `198.19.${this.uplink}.0/24`, 'via', BMC_BCN_ADDRESS]);
    }
  }

  private async configure(): Promise<void> {
    const conf = join(this.dir, 'corosync.conf');
    const authkey = join(this.dir, 'authkey');
    if (this.formed) {
      const nodeArgs = this.nodes.flatMap((n) => [n.name, `addr=${n.addresses.bcn}`, `addr=${n.addresses.mn}`]);
      await run(['pcs', 'cluster', 'setup', CLUSTER_NAME, ...nodeArgs, 'transport', 'knet', 'totem', 'token=3000', '--corosync_conf', conf]);
      // The nodes share the host's /dev/log: corosync logs to its file only.
      await writeFile(conf, (await readFile(conf, 'utf8')).replace(/to_syslog: yes/, 'to_syslog: no'));
      await run(['corosync-keygen', '-k', authkey]);
    }
    const [hacluster, haclient] = await Promise.all([idOf(['id', '-u', 'hacluster']), idOf(['id', '-g', 'hacluster'])]);
    for (const node of this.nodes) {
      for (const [from] of nodeBinds) await mkdir(join(node.dir, from), { recursive: true });
      // /etc/drbd.conf includes drbd.d/global_common.conf: each node's drbd.d starts with the host's.
      await copyFile('/etc/drbd.d/global_common.conf', join(node.dir, 'etc-drbd', 'global_common.conf')).catch(() => undefined);
      for (const sub of ['cib', 'pengine', 'blackbox', 'cores']) await mkdir(join(node.dir, 'lib-pacemaker', sub), { recursive: true });
      if (this.formed) {
        await copyFile(conf, join(node.dir, 'etc-corosync', 'corosync.conf'));
        await copyFile(authkey, join(node.dir, 'etc-corosync', 'authkey'));
        await chmod(join(node.dir, 'etc-corosync', 'authkey'), 0o400);
      }
      for (const owned of ['lib-pacemaker', 'log-pacemaker']) await chownTree(join(node.dir, owned), hacluster, haclient);
      await writeFile(join(node.dir, 'boot.sh'), renderBootScript(node, { formed: this.formed, fenceAgentsDir: fenceDelayDir }), { mode: 0o755 });
      await writeFile(join(node.dir, 'cluster-start.sh'), renderClusterStartScript(node), { mode: 0o755 });
      await writeFile(join(node.dir, 'power-on.sh'), renderPowerOnScript(node), { mode: 0o755 });
    }
  }

  private async startBmcs(): Promise<void> {
    for (const node of this.nodes) {
      const b = node.bmcDir;
      await mkdir(join(b, 'state'), { recursive: true });
      await writeFile(join(b, 'chassis-control'), renderChassisHook(b, node), { mode: 0o755 });
      await writeFile(join(b, 'power'), '0\n');
      // ipmi_sim takes one address per LAN channel: the any-address of the hub namespace is both its
      // loopback and its BCN address, and nothing outside the hub.
      const custom = await this.bmcSetup?.(node);
      const listens = [{ address: '0.0.0.0', port: node.bmcPort }];
      if (this.uplink !== undefined) listens.push({ address: this.bmcUplinkAddress(node.index), port: this.bmcUplinkPort(node.index) });
      await writeFile(join(b, 'lan.conf'), renderLanConf(`bmc${node.index}`, listens, join(b, 'chassis-control'), BMC_USER) + (custom?.lanConf ?? ''));
      await writeFile(join(b, 'bmc.emu'), custom?.emu ?? bmcEmu);
      const sim = execa('ip', ['netns', 'exec', this.hub, 'ipmi_sim', '-c', join(b, 'lan.conf'), '-f', join(b, 'bmc.emu'), '-s', join(b, 'state'), '-n'], {
        stdin: 'ignore', stdout: { file: join(b, 'sim.out') }, stderr: { file: join(b, 'sim.err') }, reject: false,
      });
      this.bmcProcesses.push(sim);
    }
    for (const node of this.nodes) {
      await waitFor(`BMC of ${node.name} answers on 127.0.0.1:${node.bmcPort}`, 20_000, async () => {
        const sim = this.bmcProcesses[node.index - 1]!;
        if (sim.exitCode !== null) throw new Error(`ipmi_sim exited: ${await readFile(join(node.bmcDir, 'sim.err'), 'utf8').catch(() => '')}`);
        await this.ipmitool(node.index, ['chassis', 'power', 'status']);
        return true;
      });
    }
  }
}

/** Polls `probe` until it returns a value other than false/undefined; a probe that throws counts as not yet. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | false | undefined>, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== false && value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms${last instanceof Error ? `; last error: ${last.message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** One lab per prefix (its namespaces are named after it): the lock file holds the owner's pid. */
const lockFile = (prefix: string) => join(tmpdir(), `${prefix}-lab.lock`);
const locksHeld = new Set<string>();

async function takeLabLock(prefix: string): Promise<void> {
  const LOCK = lockFile(prefix);
  if (locksHeld.has(prefix)) throw new Error(`this process already runs the cluster lab "${prefix}"; one lab runs per prefix, since its namespaces are named after it`);
  for (;;) {
    try {
      await writeFile(LOCK, String(process.pid), { flag: 'wx' });
      locksHeld.add(prefix);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number((await readFile(LOCK, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
      throw new Error(`the cluster lab "${prefix}" is in use by process ${owner} (${LOCK}); one lab runs per prefix, since its namespaces are named after it`);
    }
    await rm(LOCK, { force: true }); // left by a run that ended without down()
  }
}

async function releaseLabLock(prefix: string): Promise<void> {
  const LOCK = lockFile(prefix);
  const owner = Number((await readFile(LOCK, 'utf8').catch(() => '')).trim());
  if (owner === process.pid) await rm(LOCK, { force: true });
  locksHeld.delete(prefix);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function hubPort(index: number, link: LabLink): string {
  return `n${index}-${link}`;
}

async function idOf(argv: string[]): Promise<number> {
  return Number((await run(argv)).stdout.trim());
}

async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  await run(['chown', '-R', `${uid}:${gid}`, path]);
  await chown(path, uid, gid);
}

async function namespaces(prefix: string): Promise<string[]> {
  const out = await run(['ip', 'netns', 'list']);
  return out.stdout.split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n === `${prefix}-hub` || new RegExp(`^${prefix}-n\\d+$`).test(n));
}

/** SIGKILLs every process in one of the lab's namespaces and waits until none is left. */
async function killNamespace(prefix: string, ns: string): Promise<void> {
  if (!(await namespaces(prefix)).includes(ns)) return;
  const pids = async () => (await run(['ip', 'netns', 'pids', ns])).stdout.split('\n').filter((l) => l.trim() !== '').map(Number);
  await waitFor(`no process left in ${ns}`, 15_000, async () => {
    const left = await pids();
    for (const pid of left) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    return left.length === 0;
  }, 200);
}

/** Deletes the lab's namespaces (`<prefix>-n<N>`, `<prefix>-hub`), killing what still runs in them first. */
async function removeNamespaces(prefix: string): Promise<void> {
  for (const ns of await namespaces(prefix)) {
    await killNamespace(prefix, ns);
    await run(['ip', 'netns', 'del', ns]);
  }
}
