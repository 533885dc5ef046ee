/**
 * Network namespace for the PXE end-to-end tests and benchmark: `stk-pxe-<tag>` with a bridge
 * `br0` (the PXE interface, 10.77.50.1/24) and tap devices for QEMU guests. Striker's PXE
 * services run inside it as a child process (netns-pxe-server.ts); `destroy()` kills what was
 * started here (by pid) and deletes the namespace. Test helper: spawn with argv arrays.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { killChildren } from './kill-children.js';
import { LineProtocolChild } from './line-protocol-child.js';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const PXE_ADDRESS = '10.77.50.1';

function must(argv: string[]): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr}${r.error?.message ?? ''}`);
  return r.stdout;
}

export interface TimelineEventJson {
  step: string;
  mac?: string;
  ip?: string;
  at: string;
  details: Record<string, unknown>;
}

export interface PxeServerStatus {
  events: TimelineEventJson[];
  leases: { ip: string; mac: string }[];
  status: Record<string, unknown>;
}

/** The child process running Striker's PXE services + boot routes (netns-pxe-server.ts). */
export class PxeServerProcess extends LineProtocolChild {
  constructor(proc: ChildProcess) {
    super(proc, 'PXE server', 20_000);
  }

  async status(): Promise<PxeServerStatus> {
    return JSON.parse(await this.command('status')) as PxeServerStatus;
  }

  /** Describes a machine as the operator would (role, host name, state, kickstart check). */
  async setMachine(machine: TestMachine): Promise<void> {
    const answer = await this.command(`machine ${JSON.stringify(machine)}`);
    if (answer !== 'ok') throw new Error(`setMachine: ${answer}`);
  }

  stop(): Promise<void> {
    return this.end('SIGTERM', 5000);
  }
}

export interface TestMachine {
  mac: string;
  role: 'striker' | 'node' | 'dr' | null;
  state: 'discovered' | 'assigned' | 'installing' | 'installed';
  hostname: string | null;
  check?: { status: 'ready' } | { status: 'failed'; problems: string[] } | { status: 'unchecked' };
}

export interface PxeServerSpec {
  /** PXE config input (pxe/boot/pxe-config.ts); interface/address are filled in. */
  pxe: Record<string, unknown>;
  httpPort: number;
  /** Directory served at /trees/test/ (vmlinuz, initrd.img, packages). */
  treeDir: string;
  machines: TestMachine[];
  /** Package file names under treeDir/packages listed in the kickstart for the initrd to fetch. */
  packages: string[];
}

export class PxeLab {
  readonly ns: string;
  readonly dir: string;
  private readonly processes: ChildProcess[] = [];
  private taps = 0;

  /** `ns` names the namespace when a caller keeps to its own prefix; default `stk-pxe-<tag>`. */
  constructor(tag: string, ns = `stk-pxe-${tag}`) {
    this.ns = ns;
    this.dir = mkdtempSync(join(tmpdir(), `stk-pxe-${tag}-`));
    spawnSync('ip', ['netns', 'del', this.ns]);
    must(['ip', 'netns', 'add', this.ns]);
    must(['ip', '-n', this.ns, 'link', 'set', 'lo', 'up']);
    must(['ip', '-n', this.ns, 'link', 'add', 'br0', 'type', 'bridge']);
    must(['ip', '-n', this.ns, 'addr', 'add', `${PXE_ADDRESS}/24`, 'dev', 'br0']);
    must(['ip', '-n', this.ns, 'link', 'set', 'br0', 'up']);
  }

  /** A new tap device on the bridge, for one guest. */
  tap(): string {
    const name = `tap${this.taps++}`;
    must(['ip', '-n', this.ns, 'tuntap', 'add', 'dev', name, 'mode', 'tap']);
    must(['ip', '-n', this.ns, 'link', 'set', name, 'master', 'br0']);
    must(['ip', '-n', this.ns, 'link', 'set', name, 'up']);
    return name;
  }

  spawn(argv: string[]): ChildProcess {
    const proc = spawn('ip', ['netns', 'exec', this.ns, ...argv], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.processes.push(proc);
    return proc;
  }

  async startStriker(spec: PxeServerSpec): Promise<PxeServerProcess> {
    const specPath = join(this.dir, `spec-${Date.now()}.json`);
    writeFileSync(specPath, JSON.stringify(spec));
    const proc = this.spawn([process.execPath, '--no-deprecation', '--import', 'tsx', join(root, 'test/support/netns-pxe-server.ts'), specPath, join(this.dir, `data-${Date.now()}`)]);
    const server = new PxeServerProcess(proc);
    const ready = await server.nextLine(40_000);
    if (ready !== 'ready') throw new Error(`PXE server did not start: ${ready} ${server.stderr.join('')}`);
    return server;
  }

  async destroy(): Promise<void> {
    await killChildren(this.processes);
    spawnSync('ip', ['netns', 'del', this.ns]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
