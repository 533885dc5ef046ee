/**
 * `striker dr …` calls the same actions as the API: a refused link names its fields, a link
 * enqueues dr.link on the DR host and shows in the status, a protection of a server of an
 * unlinked pair is refused, and unlink removes the link.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCredentialAtRegistration } from '../../agent/index.js';
import { hostIdOfMachine, manifestSchema, sampleManifest } from '../../manifest/index.js';
import { splitSecrets } from '../../manifest/manifest-secrets.js';
import { insertManifest } from '../../manifest/manifest-store.js';
import { createTestDatabase, quietLogger, type TestDatabase } from '../../../test/support/test-database.js';
import { ValidationError } from '../../core/errors/index.js';
import { buildProgram } from './program.js';

const dir = mkdtempSync(join(tmpdir(), 'striker-dr-cli-'));
let t: TestDatabase;

async function striker(...args: string[]): Promise<{ out: string; exit: number }> {
  const out: string[] = [];
  let exit = 0;
  const program = buildProgram(
    {
      env: { STRIKER_DATABASE__URLS: JSON.stringify([t.url]), STRIKER_DATA_DIR: join(dir, 'var') },
      stdout: (s) => void out.push(s),
      stderr: (s) => void out.push(s),
      readStdin: async () => '',
      makeLogger: () => quietLogger,
      runServe: async () => 0,
      runAgent: async () => 0,
    },
    (code) => (exit = code),
  );
  await program.parseAsync(['node', 'striker', '--json', ...args]);
  return { out: out.join(''), exit };
}

let drHostId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  await striker('dr', 'status');
  const document = splitSecrets(manifestSchema.parse(sampleManifest()), () => false).view;
  await insertManifest(t.db, { name: 'an-anvil-01', sequence: 1, document });
  drHostId = hostIdOfMachine(document.hosts.dr!.machine);
  await t.db.tx((tx) => issueCredentialAtRegistration(tx, drHostId, '127.0.0.1'));
});
afterAll(async () => {
  await t.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('striker dr', () => {
  it('refuses a bad link naming each field, links, shows the status, refuses an early protect, unlinks', async () => {
    const bad = await striker('dr', 'link', 'an-anvil-01', '--protocol', 'B', '--mode', 'boot-sync-shutdown', '--schedule', '0 25 * * *').catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ValidationError);
    expect(((bad as ValidationError).details['problems'] as { path: string }[]).map((p) => p.path).sort()).toEqual(['protocol', 'schedule']);

    const linked = await striker('dr', 'link', 'an-anvil-01', '--protocol', 'C', '--mode', 'boot-sync-shutdown', '--schedule', '30 1 * * 6');
    expect(linked.exit, linked.out).toBe(0);
    const made = JSON.parse(linked.out) as { link: { drHost: string; state: string }; jobId: string };
    expect(made.link).toMatchObject({ drHost: 'an-a01dr01', state: 'linking' });

    const status = JSON.parse((await striker('dr', 'status')).out) as { links: { link: { anvil: string; protocol: string; schedule: string; linkJob: string } }[]; unlinked: unknown[] };
    expect(status.links.map((l) => [l.link.anvil, l.link.protocol, l.link.schedule, l.link.linkJob])).toEqual([['an-anvil-01', 'C', '30 1 * * 6', made.jobId]]);
    expect(status.unlinked).toEqual([]);

    await expect(striker('dr', 'protect', 'srv01')).rejects.toThrow(/server srv01/);
    expect((await striker('dr', 'unlink', 'an-anvil-01')).exit).toBe(0);
    expect((JSON.parse((await striker('dr', 'status')).out) as { links: unknown[] }).links).toEqual([]);
  });
});
