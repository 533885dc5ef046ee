import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../striker/core/command/run-command.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.js';
import { recordReportedMigrations } from './actions.js';
import { parseMigrationLog, readMigrationLog } from './migration-log.js';
import { insertServer, medianMigrationMs, serverMigrations } from './servers-store.js';

const AGENT = fileURLToPath(new URL('./ocf/server', import.meta.url));

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'migration-log-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the resource agent's own record_migration (its functions, with ocf_log stubbed) `times` times. */
async function agentRecords(log: string, args: string[], times = 1): Promise<void> {
  const script = [
    'ocf_log() { :; }',
    `eval "$(sed -n '/^now_ms()/,/^}/p;/^record_migration()/,/^}/p' '${AGENT}')"`,
    `OCF_RESKEY_name=srv01 OCF_RESKEY_migration_log='${log}'`,
    `i=0; while [ $i -lt ${times} ]; do record_migration ${args.map((a) => `'${a}'`).join(' ')}; i=$((i + 1)); done`,
  ].join('\n');
  await runCommand(['sh', '-c', script], { timeoutMs: 60_000 });
}

describe('the resource agent\'s migration records', () => {
  it('a live and a cold record as JSON lines the agent reads back', async () => {
    const log = join(dir, 'a', 'server-migrations.log');
    await agentRecords(log, ['node1', 'node2', 'live', 'succeeded', '1765000000123', '1765000002623', '187']);
    await agentRecords(log, ['node2', 'node1', 'cold', 'failed', '1765000010000', '1765000040500']);
    const records = await readMigrationLog(log);
    expect(records.map(({ id: _, ...r }) => r)).toEqual([
      { server: 'srv01', fromNode: 'node1', toNode: 'node2', kind: 'live', outcome: 'succeeded', startedAt: '2025-12-06T05:46:40.123Z', durationMs: 2500, downtimeMs: 187 },
      { server: 'srv01', fromNode: 'node2', toNode: 'node1', kind: 'cold', outcome: 'failed', startedAt: '2025-12-06T05:46:50.000Z', durationMs: 30500 },
    ]);
    expect(new Set(records.map((r) => r.id)).size).toBe(2);
  });

  it('keeps the last 100 lines', async () => {
    const log = join(dir, 'b.log');
    await agentRecords(log, ['node1', 'node2', 'live', 'succeeded', '1765000000000', '1765000001000', '100'], 103);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(100);
  }, 60_000);

  it('skips lines that are not records; a missing file is no records', async () => {
    const good = { id: randomUUID(), server: 'srv01', fromNode: 'node1', toNode: 'node2', kind: 'live', outcome: 'succeeded', startedAt: '2026-12-06T10:00:00.000Z', durationMs: 2000 };
    expect(parseMigrationLog(['{"id":"x"}', 'not json', JSON.stringify(good), JSON.stringify({ ...good, durationMs: -1 }), ''].join('\n'))).toEqual([good]);
    expect(await readMigrationLog(join(dir, 'none.log'))).toEqual([]);
  });
});

describe('recordReportedMigrations', () => {
  let t: TestDatabase;
  const hosts = [
    { key: 'node1' as const, name: 'node1', hostId: '52-54-00-00-cc-01', snAddress: '10.101.10.1' },
    { key: 'node2' as const, name: 'node2', hostId: '52-54-00-00-cc-02', snAddress: '10.101.10.2' },
  ];
  beforeAll(async () => {
    t = await createTestDatabase();
    await insertServer(t.db, {
      id: randomUUID(), name: 'srv01', anvil: 'an-anvil-01', vcpus: 1, memoryMiB: 512, diskGiB: 4, installIso: null, driverIso: null, osVariant: 'rhel9.4',
      networks: [], hosts, drbdMinor: 0, drbdPort: 7788, preferredNode: 'node1', liveMigration: true,
    });
  });
  afterAll(async () => t.drop());

  it("stores each record once, for its pair's servers only; ScanCore's median reads them", async () => {
    const log = join(dir, 'c.log');
    await agentRecords(log, ['node1', 'node2', 'live', 'succeeded', '1765000000000', '1765000002000', '150']);
    await agentRecords(log, ['node2', 'node1', 'live', 'succeeded', '1765000100000', '1765000103000', '250']);
    const records = await readMigrationLog(log);
    const other = { ...records[0]!, id: randomUUID(), server: 'pcs-only' };
    expect(await recordReportedMigrations(t.db, hosts[0]!.hostId, [...records, other])).toBe(2);
    // The next scan sends the same lines: nothing new.
    expect(await recordReportedMigrations(t.db, hosts[1]!.hostId, records)).toBe(0);
    // A host that is not a node of the server's pair is not believed.
    writeFileSync(log, JSON.stringify({ ...records[0]!, id: randomUUID() }));
    expect(await recordReportedMigrations(t.db, '52-54-00-00-dd-01', await readMigrationLog(log))).toBe(0);
    const stored = await serverMigrations(t.db, 'srv01');
    expect(stored.map((m) => [m.fromNode, m.toNode, m.kind, m.durationMs, m.downtimeMs])).toEqual([['node2', 'node1', 'live', 3000, 250], ['node1', 'node2', 'live', 2000, 150]]);
    expect(await medianMigrationMs(t.db, 'an-anvil-01')).toEqual(new Map([['srv01', 2500]]));
  });
});
