/**
 * Network namespace lab for the DHCP interop tests: namespaces named `stk-dhcp-*`, veth links,
 * Striker's DHCP server and real clients run inside them. Everything created is removed by
 * `destroy()` (call it in afterAll). Peers are started with spawn and argv arrays only.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { killChildren } from './kill-children.js';
import { LineProtocolChild } from './line-protocol-child.js';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** Builds pxe/dhcp/native (SO_BINDTODEVICE addon) when it is not built yet. */
export function ensureNativeAddon(): void {
  if (existsSync(join(root, 'pxe/dhcp/native/build/Release/bind_to_device.node'))) return;
  const nodeDir = dirname(dirname(process.execPath));
  // npm ships node-gyp; use that copy rather than fetching one.
  const bundled = join(nodeDir, 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
  const argv = existsSync(bundled) ? [process.execPath, bundled] : ['npx', '--yes', 'node-gyp'];
  const gyp = spawnSync(argv[0]!, [...argv.slice(1), 'rebuild', `--nodedir=${nodeDir}`, '-C', join(root, 'pxe/dhcp/native')], { encoding: 'utf8' });
  if (gyp.status !== 0) throw new Error(`node-gyp failed: ${gyp.stderr}`);
}

export function must(argv: string[], timeoutMs = 20_000): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: timeoutMs });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr}${r.error?.message ?? ''}`);
  return r.stdout;
}

/** Fails (never skips) when a peer program is missing. */
export function requireProgram(name: string): void {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${name} is not installed; add its package to test/system-packages.txt`);
}

export interface DhcpStatus {
  counters: { received: number; answered: Record<string, number>; dropped: Record<string, number>; leases: number };
  leases: { ip: string; mac: string; clientKey: string; state: string; expiresAt: string; hostname: string | null }[];
  events: { step: string; mac?: string; ip?: string; details: Record<string, unknown> }[];
}

export class StrikerDhcpProcess extends LineProtocolChild {
  constructor(proc: ChildProcess) {
    super(proc, 'DHCP server', 15_000);
  }

  async status(): Promise<DhcpStatus> {
    return JSON.parse(await this.command('status')) as DhcpStatus;
  }

  stop(): Promise<void> {
    return this.end('SIGTERM');
  }

  kill9(): Promise<void> {
    return this.end('SIGKILL');
  }
}

export class NetnsLab {
  private readonly namespaces: string[] = [];
  private readonly processes: ChildProcess[] = [];
  readonly dir: string;

  constructor(readonly tag: string) {
    this.dir = mkdtempSync(join(tmpdir(), `stk-dhcp-${tag}-`));
  }

  ns(name: string): string {
    const full = `stk-dhcp-${this.tag}-${name}`;
    spawnSync('ip', ['netns', 'del', full]);
    must(['ip', 'netns', 'add', full]);
    this.namespaces.push(full);
    must(['ip', '-n', full, 'link', 'set', 'lo', 'up']);
    return full;
  }

  /** A veth pair between two namespaces, both ends up, optional addresses (CIDR form). */
  link(nsA: string, ifA: string, nsB: string, ifB: string, addrA?: string, addrB?: string): void {
    must(['ip', 'link', 'add', ifA, 'netns', nsA, 'type', 'veth', 'peer', 'name', ifB, 'netns', nsB]);
    if (addrA !== undefined) must(['ip', '-n', nsA, 'addr', 'add', addrA, 'dev', ifA]);
    if (addrB !== undefined) must(['ip', '-n', nsB, 'addr', 'add', addrB, 'dev', ifB]);
    must(['ip', '-n', nsA, 'link', 'set', ifA, 'up']);
    must(['ip', '-n', nsB, 'link', 'set', ifB, 'up']);
  }

  exec(ns: string, argv: string[], timeoutMs = 20_000): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync('ip', ['netns', 'exec', ns, ...argv], { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  spawn(ns: string, argv: string[], env: Record<string, string> = {}): ChildProcess {
    const proc = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    this.processes.push(proc);
    return proc;
  }

  /** Starts Striker's DHCP server in `ns` with `config` (DhcpConfigInput JSON); resolves when it listens. */
  async startStriker(ns: string, config: unknown, dataDir = join(this.dir, 'data'), env: Record<string, string> = {}): Promise<StrikerDhcpProcess> {
    ensureNativeAddon();
    const configPath = join(this.dir, `config-${Date.now()}-${Math.random().toString(16).slice(2)}.json`);
    writeFileSync(configPath, JSON.stringify(config));
    const extraFlags = (env['DHCP_NODE_FLAGS'] ?? '').split(' ').filter((f) => f !== '');
    const proc = this.spawn(ns, [process.execPath, ...extraFlags, '--no-deprecation', '--import', 'tsx', join(root, 'test/support/netns-dhcp-server.ts'), configPath, dataDir], env);
    const server = new StrikerDhcpProcess(proc);
    const ready = await server.nextLine(30_000);
    if (!ready.startsWith('ready')) throw new Error(`DHCP server did not start: ${ready} ${server.stderr.join('')}`);
    return server;
  }

  async destroy(): Promise<void> {
    await killChildren(this.processes);
    for (const ns of this.namespaces) spawnSync('ip', ['netns', 'del', ns]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A dhclient/udhcpc hook that only logs what it was given, as `KEY=value` lines, into `logPath`. */
export function writeHook(dir: string, logPath: string): string {
  const hook = join(dir, 'dhcp-hook.sh');
  writeFileSync(
    hook,
    `#!/bin/sh\n{ echo "=== $1 reason=\${reason:-}"; env | grep -E '^(new_|reason=|interface=|ip=|subnet=|router=|dns=|serverid=|lease=|siaddr=|boot_file=|domain=|broadcast=)' | sort; } >> '${logPath}'\nexit 0\n`,
    { mode: 0o755 },
  );
  return hook;
}

/** A udhcpc hook that logs and also puts the leased address on the interface (inside the client namespace). */
export function writeAddressingHook(dir: string, logPath: string): string {
  const hook = join(dir, 'udhcpc-address-hook.sh');
  writeFileSync(
    hook,
    `#!/bin/sh\n{ echo "=== $1"; env | grep -E '^(interface|ip|mask|router|dns|serverid|lease|domain|subnet)=' | sort; } >> '${logPath}'\n` +
      `case "$1" in bound|renew) ip addr flush dev "$interface"; ip addr add "$ip/$mask" dev "$interface";; deconfig) ip addr flush dev "$interface";; esac\nexit 0\n`,
    { mode: 0o755 },
  );
  return hook;
}
