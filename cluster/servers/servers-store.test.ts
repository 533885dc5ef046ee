import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../../striker/core/errors/index.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.js';
import {
  deleteServer, existingAllocations, getServer, insertMigration, insertServer, listServers, medianMigrationMs, serverMigrations,
  updateProvisioning, updateRunState, type NewServer,
} from './servers-store.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());

const hosts = [
  { key: 'node1' as const, name: 'an-a01n01', hostId: '52-54-00-00-00-01', snAddress: '10.101.10.1' },
  { key: 'node2' as const, name: 'an-a01n02', hostId: '52-54-00-00-00-02', snAddress: '10.101.10.2' },
];
const server = (name: string, minor: number, port: number): NewServer => ({
  id: randomUUID(), name, anvil: 'an-anvil-01', vcpus: 2, memoryMiB: 2048, diskGiB: 20, installIso: '/mnt/shared/files/rhel.iso', driverIso: null,
  osVariant: 'rhel9.4', networks: [{ network: 'ifn1' }], hosts, drbdMinor: minor, drbdPort: port, preferredNode: 'node1', liveMigration: true,
});

describe('servers store', () => {
  it('stores a server, lists it, and gives allocation its hosts, minor and port', async () => {
    const s = await insertServer(t.db, server('srv01', 0, 7788));
    expect(s).toMatchObject({ name: 'srv01', state: 'provisioning', provisionStep: 'allocated', runningOn: null, networks: [{ network: 'ifn1' }] });
    expect(await existingAllocations(t.db)).toEqual([{ name: 'srv01', hosts: ['an-a01n01', 'an-a01n02'], minor: 0, port: 7788 }]);
    expect((await listServers(t.db, { anvil: 'an-anvil-01' })).map((r) => r.name)).toEqual(['srv01']);
    expect(await listServers(t.db, { anvil: 'an-anvil-02' })).toEqual([]);
  });

  it('refuses a second server with the same name, minor or port as a conflict', async () => {
    await expect(insertServer(t.db, server('srv01', 5, 7900))).rejects.toBeInstanceOf(ConflictError);
    await expect(insertServer(t.db, server('srv02', 0, 7900))).rejects.toBeInstanceOf(ConflictError);
    await expect(insertServer(t.db, server('srv02', 5, 7788))).rejects.toBeInstanceOf(ConflictError);
  });

  it('records provisioning steps and the run state, and announces each change on the live channel', async () => {
    const seen: string[] = [];
    const listener = await t.db.listen('striker_live', (p) => { if (p) seen.push(p); }, () => undefined);
    try {
      await updateProvisioning(t.db, 'srv01', { step: 'node2', job: null, error: null });
      await updateProvisioning(t.db, 'srv01', { step: 'done', state: 'stopped' });
      expect(await updateRunState(t.db, 'srv01', 'running', 'an-a01n01')).toBe(true);
      expect(await updateRunState(t.db, 'srv01', 'running', 'an-a01n01')).toBe(false);
      const s = await getServer(t.db, 'srv01');
      expect([s.provisionStep, s.state, s.runningOn]).toEqual(['done', 'running', 'an-a01n01']);
      for (let i = 0; i < 50 && seen.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
      expect(seen.map((p) => JSON.parse(p))).toEqual([{ topic: 'servers', key: 'srv01' }, { topic: 'servers', key: 'srv01' }, { topic: 'servers', key: 'srv01' }]);
    } finally {
      listener.close();
    }
  });

  it('records migrations and answers the median duration of the successful ones', async () => {
    const base = { serverName: 'srv01', anvil: 'an-anvil-01', fromNode: 'an-a01n01', toNode: 'an-a01n02', kind: 'live' as const, downtimeMs: 250, jobId: null };
    await insertMigration(t.db, { ...base, outcome: 'succeeded', startedAt: new Date('2026-12-01T00:00:00Z'), durationMs: 3000 });
    await insertMigration(t.db, { ...base, outcome: 'succeeded', startedAt: new Date('2026-12-01T01:00:00Z'), durationMs: 5000 });
    await insertMigration(t.db, { ...base, outcome: 'failed', startedAt: new Date('2026-12-01T02:00:00Z'), durationMs: 90_000 });
    expect((await serverMigrations(t.db, 'srv01')).map((m) => m.durationMs)).toEqual([90_000, 5000, 3000]);
    expect(await medianMigrationMs(t.db, 'an-anvil-01')).toEqual(new Map([['srv01', 4000]]));
  });

  it('a missing server is not found; a deleted one is gone', async () => {
    await expect(getServer(t.db, 'nope')).rejects.toBeInstanceOf(NotFoundError);
    await insertServer(t.db, server('srv03', 3, 7800));
    expect(await deleteServer(t.db, 'srv03')).toBe(true);
    await expect(getServer(t.db, 'srv03')).rejects.toBeInstanceOf(NotFoundError);
  });
});
