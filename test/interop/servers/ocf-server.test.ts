/**
 * Striker's resource agent `ocf:striker:server` (cluster/servers/ocf/server) against a real
 * libvirtd (one daemon in a namespace of its own, test/support/cluster-lab/libvirt-lab.ts) and the
 * tiny TCG guest, with DRBD in dry-run mode:
 *
 * - `ocf-tester` from resource-agents passes (meta-data against ra-api-1.dtd, probes, start,
 *   monitor, stop, restarts, start of a started and stop of a stopped resource);
 * - the exact OCF exit codes of monitor and validate-all for each kind of fault;
 * - start promotes before the domain starts and stop demotes after it stopped (the dry-run log);
 * - stop is graceful (the guest powers off on the ACPI button), and with shutdown_timeout=0 the
 *   domain is destroyed;
 * - each migration, failed or not, is one record in migration_log (what the host agent sends).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMigrationLog } from '../../../cluster/servers/migration-log.js';
import type { CommandResult } from '../../../striker/core/command/run-command.js';
import { waitFor } from '../../support/cluster-lab/cluster-lab.js';
import { buildTinyGuest, consoleFacts, writeTinyDomain } from '../../support/cluster-lab/libvirt-guest.js';
import { OCF_AGENT_PATH, StandaloneLibvirt } from '../../support/cluster-lab/libvirt-lab.js';

const NODE = 'node1';
let dir: string;
let host: StandaloneLibvirt;
let config: string;
let drbdConfig: string;
let drbdLog: string;
let consoleFile: string;
let migrationLog: string;

/** drbd.conf of a two-node resource `srv01` (dry runs read only this file). */
const drbdConf = `global { usage-count no; }
resource srv01 {
  device /dev/drbd0; disk /dev/null; meta-disk internal;
  on node1 { node-id 0; address 198.18.3.1:7788; }
  on node2 { node-id 1; address 198.18.3.2:7788; }
  net { protocol C; fencing resource-and-stonith; }
}
`;

function params(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    name: 'srv01', config, drbd_resource: 'srv01', drbd_config: drbdConfig, drbd_dry_run: 'true',
    drbd_dry_run_log: drbdLog, migration_log: migrationLog, shutdown_timeout: '30', CRM_meta_on_node: NODE, ...overrides,
  };
}

/** Runs one action of the agent in the daemon's namespaces, as pacemaker would (OCF_RESKEY_*). */
async function agent(action: string, overrides: Record<string, string> = {}, meta: Record<string, string> = {}): Promise<CommandResult> {
  const env = Object.entries({ ...params(overrides), ...meta }).map(([k, v]) => `OCF_RESKEY_${k}=${v}`);
  return host.exec(['env', 'OCF_ROOT=/usr/lib/ocf', 'OCF_RESOURCE_INSTANCE=srv01', ...env, OCF_AGENT_PATH, action],
    { okExitCodes: [0, 1, 2, 3, 4, 5, 6, 7, 8], timeoutMs: 120_000 });
}

async function domstate(): Promise<string> {
  return (await host.exec(['virsh', '-q', 'domstate', '--reason', 'srv01'], { okExitCodes: [0, 1] })).stdout.trim();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sv-ocf-'));
  const image = await buildTinyGuest(join(dir, 'guest'));
  consoleFile = join(dir, 'console.log');
  config = await writeTinyDomain(join(dir, 'domains'), { name: 'srv01', image, console: consoleFile, disk: join(dir, 'srv01.img') });
  drbdConfig = join(dir, 'drbd.conf');
  await writeFile(drbdConfig, drbdConf);
  drbdLog = join(dir, 'drbd-dry-run.log');
  migrationLog = join(dir, 'server-migrations.log');
  host = await StandaloneLibvirt.up('sv-ocf', join(dir, 'libvirt'));
});

afterAll(async () => {
  await host?.down();
  if (dir !== undefined && process.env['KEEP_CLUSTER_LAB'] !== '1') await rm(dir, { recursive: true, force: true });
});

describe('ocf:striker:server', () => {
  it('passes ocf-tester', async () => {
    const argv = ['ocf-tester', '-n', 'srv01', ...Object.entries(params()).flatMap(([k, v]) => ['-o', `${k}=${v}`]), OCF_AGENT_PATH];
    const result = await host.exec(argv, { okExitCodes: [0, 1], timeoutMs: 300_000 });
    expect(result.stdout + result.stderr).toContain('passed all tests');
    expect(result.exitCode).toBe(0);
    expect(await domstate()).toMatch(/^shut off/);
  }, 300_000);

  it('answers meta-data that names every parameter, and 3 (unimplemented) for an unknown action', async () => {
    const meta = await agent('meta-data');
    for (const p of ['name', 'config', 'drbd_resource', 'drbd_config', 'drbd_dry_run', 'drbd_dry_run_log', 'live_migration', 'migration_hosts', 'migration_log', 'shutdown_timeout', 'libvirt_uri']) {
      expect(meta.stdout).toContain(`<parameter name="${p}"`);
    }
    for (const a of ['start', 'stop', 'monitor', 'migrate_to', 'migrate_from', 'validate-all']) expect(meta.stdout).toContain(`<action name="${a}"`);
    expect((await agent('promote')).exitCode).toBe(3);
  });

  it('validate-all: 0 when sound, 5 (not installed) for a missing file, 6 (not configured) for a bad parameter', async () => {
    expect((await agent('validate-all')).exitCode).toBe(0);
    expect((await agent('validate-all', { config: join(dir, 'missing.xml') })).exitCode).toBe(5);
    expect((await agent('validate-all', { drbd_config: join(dir, 'missing.conf') })).exitCode).toBe(5);
    expect((await agent('validate-all', { name: 'srv02' })).exitCode).toBe(6);
    expect((await agent('validate-all', { live_migration: 'maybe' })).exitCode).toBe(6);
    expect((await agent('validate-all', { shutdown_timeout: '10s' })).exitCode).toBe(6);
    expect((await agent('validate-all', { drbd_resource: '' })).exitCode).toBe(6);
  });

  it('monitor: 7 when the domain is not defined, 1 when libvirt cannot be reached (7 for a probe)', async () => {
    expect((await agent('monitor', {}, { CRM_meta_interval: '10000' })).exitCode).toBe(7);
    const unreachable = { libvirt_uri: 'qemu:///system?socket=/run/no-such-libvirt-sock' };
    expect((await agent('monitor', unreachable, { CRM_meta_interval: '10000' })).exitCode).toBe(1);
    expect((await agent('monitor', unreachable, { CRM_meta_interval: '0' })).exitCode).toBe(7);
  });

  it('start promotes before starting the domain; stop shuts the guest down gracefully, then demotes', async () => {
    await rm(drbdLog, { force: true });
    await rm(consoleFile, { force: true });
    expect((await agent('start')).exitCode).toBe(0);
    expect(await domstate()).toMatch(/^running/);
    expect((await agent('monitor', {}, { CRM_meta_interval: '10000' })).exitCode).toBe(0);
    await waitFor('the guest ticks', 60_000, async () => (await consoleFacts(consoleFile)).lastTick >= 2);
    expect((await agent('stop')).exitCode).toBe(0);
    expect(await domstate()).toBe('shut off (shutdown)');
    expect((await consoleFacts(consoleFile)).poweredOff).toBe(true);
    expect((await agent('monitor', {}, { CRM_meta_interval: '10000' })).exitCode).toBe(7);
    const log = (await readFile(drbdLog, 'utf8')).trim().split('\n');
    expect(log).toEqual([`${NODE} start: drbdsetup primary srv01`, `${NODE} stop: drbdsetup secondary srv01`]);
  }, 180_000);

  it('with shutdown_timeout=0, stop destroys the domain without asking the guest', async () => {
    await rm(consoleFile, { force: true });
    expect((await agent('start')).exitCode).toBe(0);
    await waitFor('the guest ticks', 60_000, async () => (await consoleFacts(consoleFile)).lastTick >= 1);
    expect((await agent('stop', { shutdown_timeout: '0' })).exitCode).toBe(0);
    expect(await domstate()).toBe('shut off (destroyed)');
    expect((await consoleFacts(consoleFile)).poweredOff).toBe(false);
  }, 180_000);

  it('migrate_to without a target is a configuration error (6), and a server that is not running here cannot migrate (1)', async () => {
    expect((await agent('migrate_to')).exitCode).toBe(6);
    expect((await agent('migrate_to', {}, { CRM_meta_migrate_target: 'node2' })).exitCode).toBe(1);
  });

  it('a failed live migration restores single-primary and leaves the server running here', async () => {
    expect((await agent('start')).exitCode).toBe(0);
    await rm(drbdLog, { force: true });
    // Nothing listens for libvirt on 127.0.0.2 in this namespace: virsh migrate fails.
    const failed = await agent('migrate_to', { migration_hosts: 'node2=127.0.0.2' }, { CRM_meta_migrate_target: 'node2' });
    expect(failed.exitCode).toBe(1);
    expect(await domstate()).toMatch(/^running/);
    const peer = '--_name=node2 --fencing=resource-and-stonith --protocol=C';
    expect((await readFile(drbdLog, 'utf8')).trim().split('\n')).toEqual([
      `${NODE} migrate-to: drbdsetup net-options srv01 1 ${peer} --allow-two-primaries=yes`,
      `${NODE} migrate-to: drbdsetup net-options srv01 1 ${peer} --allow-two-primaries=no`,
    ]);
    expect((await readMigrationLog(migrationLog)).map((r) => [r.server, r.fromNode, r.toNode, r.kind, r.outcome, r.downtimeMs])).toEqual([
      ['srv01', NODE, 'node2', 'live', 'failed', undefined],
    ]);
    expect((await agent('stop', { shutdown_timeout: '0' })).exitCode).toBe(0);
  }, 180_000);

  it('with live_migration=false, migrate_to shuts the server down and demotes; migrate_from promotes and starts it', async () => {
    await rm(consoleFile, { force: true });
    expect((await agent('start')).exitCode).toBe(0);
    // The guest handles the ACPI power button once it ticks (its watcher starts before the counter).
    await waitFor('the guest ticks', 60_000, async () => (await consoleFacts(consoleFile)).lastTick >= 1);
    await rm(drbdLog, { force: true });
    const coldParams = { live_migration: 'false' };
    expect((await agent('migrate_to', coldParams, { CRM_meta_migrate_target: NODE })).exitCode).toBe(0);
    expect(await domstate()).toBe('shut off (shutdown)');
    expect((await agent('migrate_from', coldParams, { CRM_meta_migrate_source: NODE })).exitCode).toBe(0);
    expect(await domstate()).toMatch(/^running/);
    expect((await readFile(drbdLog, 'utf8')).trim().split('\n')).toEqual([
      `${NODE} stop: drbdsetup secondary srv01`,
      `${NODE} migrate-from: drbdsetup primary srv01`,
    ]);
    // Recorded by the target (migrate_from): down from the shutdown until it runs again.
    const cold = (await readMigrationLog(migrationLog)).at(-1)!;
    expect(cold).toMatchObject({ server: 'srv01', fromNode: NODE, toNode: NODE, kind: 'cold', outcome: 'succeeded' });
    expect(cold.downtimeMs).toBe(cold.durationMs);
    expect((await agent('stop', { shutdown_timeout: '0' })).exitCode).toBe(0);
  }, 180_000);
});
