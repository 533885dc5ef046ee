/**
 * `striker serve` with PXE enabled, in a network namespace of its own: a real dhclient on the other
 * end of a veth gets a lease from the appliance, the machine is discovered with its DHCP steps on
 * its boot timeline, and `striker leases` lists the lease from the database.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNativeAddon, must, requireProgram } from '../support/netns-dhcp.js';
import { requireBuilt, STRIKER_MAIN } from '../support/striker-process.js';

const SRV = 'stk-sv-srv';
const CLI = 'stk-sv-cli';
let dir: string;
let serve: ChildProcess | undefined;
let stderr = '';
let clientMac = '';

function strikerIn(ns: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, STRIKER_MAIN, ...args], {
    env: { ...process.env, STRIKER_DATA_DIR: join(dir, 'var') },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function cleanup(): void {
  for (const ns of [SRV, CLI]) spawnSync('ip', ['netns', 'del', ns]);
}

beforeAll(async () => {
  requireBuilt();
  requireProgram('dhclient');
  ensureNativeAddon();
  cleanup();
  dir = mkdtempSync(join(tmpdir(), 'striker-serve-pxe-'));
  must(['ip', 'netns', 'add', SRV]);
  must(['ip', 'netns', 'add', CLI]);
  must(['ip', 'link', 'add', 'sv-bcn', 'type', 'veth', 'peer', 'name', 'sv-cli']);
  must(['ip', 'link', 'set', 'sv-bcn', 'netns', SRV]);
  must(['ip', 'link', 'set', 'sv-cli', 'netns', CLI]);
  must(['ip', '-n', SRV, 'addr', 'add', '10.201.4.1/16', 'dev', 'sv-bcn']);
  for (const [ns, link] of [[SRV, 'sv-bcn'], [CLI, 'sv-cli']] as const) {
    must(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    must(['ip', '-n', ns, 'link', 'set', link, 'up']);
  }
  clientMac = must(['ip', '-n', CLI, '-o', 'link', 'show', 'sv-cli']).match(/link\/ether ([0-9a-f:]{17})/)![1]!;
  const config = join(dir, 'striker.yaml');
  writeFileSync(
    config,
    [
      'http: { host: 10.201.4.1, port: 8080 }',
      'pxe:',
      '  enabled: true',
      '  interface: sv-bcn',
      '  address: 10.201.4.1',
      '  dhcp:',
      '    subnets:',
      '      - cidr: 10.201.0.0/16',
      '        pools: [{ start: 10.201.100.10, end: 10.201.100.50 }]',
      '        leaseTime: 600',
      '',
    ].join('\n'),
  );
  serve = spawn('ip', ['netns', 'exec', SRV, process.execPath, STRIKER_MAIN, '--config', config, 'serve'], {
    env: { ...process.env, STRIKER_DATA_DIR: join(dir, 'var') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  serve.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let stdout = '';
  serve.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  for (let i = 0; i < 600 && !stdout.includes('running at'); i++) {
    if (serve.exitCode !== null) throw new Error(`striker serve exited ${serve.exitCode}: ${stderr.slice(-3000)}`);
    await sleep(100);
  }
  if (!stdout.includes('running at')) throw new Error(`striker serve did not start: ${stderr.slice(-3000)}`);
}, 120_000);

afterAll(async () => {
  if (serve && serve.exitCode === null) {
    serve.kill('SIGTERM');
    await new Promise((r) => serve!.once('exit', r));
  }
  cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('striker serve with PXE in a namespace', () => {
  it('gives a real dhclient a lease and records the machine it discovered', async () => {
    const r = spawnSync('ip', ['netns', 'exec', CLI, 'dhclient', '-1', '-v', '-sf', '/bin/true', '-pf', join(dir, 'dhclient.pid'), '-lf', join(dir, 'dhclient.leases'), 'sv-cli'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    const out = `${r.stdout}${r.stderr}`;
    expect(out, stderr.slice(-2000)).toMatch(/bound to 10\.201\.100\.\d+/);
    const ip = /bound to (10\.201\.100\.\d+)/.exec(out)![1]!;

    // The lease mirror and the timeline write in batches: give them a moment.
    let leases: { ip: string; mac: string; state: string }[] = [];
    for (let i = 0; i < 40 && leases.length === 0; i++) {
      await sleep(250);
      const l = strikerIn(SRV, ['--json', 'leases']);
      expect(l.code, l.stderr).toBe(0);
      leases = JSON.parse(l.stdout) as typeof leases;
    }
    expect(leases).toEqual([expect.objectContaining({ ip, mac: clientMac, state: 'bound' })]);

    const shown = strikerIn(SRV, ['--json', 'machines', 'show', clientMac]);
    expect(shown.code, shown.stderr).toBe(0);
    const { machine, timeline } = JSON.parse(shown.stdout) as { machine: { state: string; mac: string }; timeline: { step: string; ip: string | null }[] };
    expect(machine).toMatchObject({ mac: clientMac, state: 'discovered' });
    const steps = timeline.map((e) => e.step);
    expect(steps).toEqual(expect.arrayContaining(['dhcp.discover', 'dhcp.offer', 'dhcp.request', 'dhcp.ack']));
    expect(steps.indexOf('dhcp.discover')).toBeLessThan(steps.indexOf('dhcp.ack'));
  });

  it('stops cleanly on SIGTERM, leaving the lease in the database', async () => {
    serve!.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => serve!.once('exit', (c) => r(c)));
    expect(code, stderr.slice(-2000)).toBe(0);
    // After a stop, the lease journal still holds the lease: the CLI reads it from the database mirror.
    const l = strikerIn(SRV, ['--json', 'leases']);
    expect(l.code, l.stderr).toBe(0);
    expect((JSON.parse(l.stdout) as unknown[]).length).toBe(1);
  });
});
