/**
 * `striker manifest validate|apply|export|list` in process against a test database: a file with
 * twenty problems lists all twenty and exits non-zero, storing nothing; a YAML file applies, and
 * export → apply → export gives the same document.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../audit/audit-store.js';
import { ValidationError } from '../../core/errors/index.js';
import { describeMachine } from '../../machines/index.js';
import { sampleMachines, sampleManifest } from '../../manifest/index.js';
import { twentyProblems } from '../../../test/support/manifest-fixtures.js';
import { createTestDatabase, quietLogger, type TestDatabase } from '../../../test/support/test-database.js';
import { buildProgram } from './program.js';

const dir = mkdtempSync(join(tmpdir(), 'striker-manifest-cli-'));
let t: TestDatabase;

async function striker(...args: string[]): Promise<string> {
  const out: string[] = [];
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
    () => undefined,
  );
  await program.parseAsync(['node', 'striker', ...args]);
  return out.join('');
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

beforeAll(async () => {
  t = await createTestDatabase();
  for (const m of [...sampleMachines, { mac: '52:54:00:a1:00:04', role: 'node' as const }]) await describeMachine(t.db, systemActor, m.mac, { role: m.role });
}, 60_000);
afterAll(async () => {
  await t.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('striker manifest', () => {
  it('validate lists all twenty problems of a file with their key paths and fails; nothing is stored', async () => {
    const doc = twentyProblems({ fenceCheck: false });
    // Problem 2 of the table (pair 1 taken by another stored pair) needs that pair: here it is the prefix instead.
    const path = file('twenty.yaml', stringify({ ...doc, pair: { ...doc.pair, sequence: 100 } }));
    const error = await striker('--json', 'manifest', 'validate', path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const problems = (error as ValidationError).problems;
    expect(problems, problems.map((p) => `${p.path}: ${p.message}`).join("\n")).toHaveLength(20);
    expect(new Set(problems.map((p) => p.path))).toEqual(
      new Set([
        'pair.prefix', 'pair.sequence', 'networks.0.gateway', 'networks.1.mtu', 'networks.2.subnet', 'hosts.node1.addresses.bcn1', 'hosts.node2.addresses.sn1',
        'hosts.node2.machine', 'hosts.dr.machine', 'hosts.node1.links.sn1', 'hosts.dr.addresses.ifn1', 'hosts.node2.ipmi', 'hosts.node1.pduOutlets.pdu9',
        'hosts.node1.ipmi.address', 'fenceDevices.0.parameters.password', 'fenceDevices.1.name', 'upses', 'upses.0.source', 'clusterPassword',
      ]),
    );
    // Without a stored manifest of the pair, { set: true } keeps nothing.
    expect(problems.find((p) => p.path === 'clusterPassword')?.message).toMatch(/no password is stored to keep/);
    expect(await striker('--json', 'manifest', 'list')).toBe('[]\n');
  });

  it('validate passes a good file; apply stores it; export → apply → export is the same document', async () => {
    const path = file('an-anvil-01.yaml', stringify(sampleManifest()));
    expect(await striker('manifest', 'validate', path)).toBe('the manifest is valid\n');
    expect(JSON.parse(await striker('--json', 'manifest', 'apply', path))).toMatchObject({ name: 'an-anvil-01', created: true });
    const first = await striker('manifest', 'export', 'an-anvil-01');
    expect(first).toMatch(/^# Striker install manifest an-anvil-01\./);
    expect(first).not.toContain('cluster-secret');
    const exported = file('exported.yaml', first);
    expect(await striker('manifest', 'validate', exported)).toBe('the manifest is valid\n');
    expect(await striker('manifest', 'apply', exported)).toMatch(/^replaced an-anvil-01 \([0-9a-f-]{36}\)\n$/);
    expect(await striker('manifest', 'export', 'an-anvil-01')).toBe(first);
    const list = JSON.parse(await striker('--json', 'manifest', 'list')) as { name: string }[];
    expect(list.map((m) => m.name)).toEqual(['an-anvil-01']);
  });

  it('refuses a malformed file with its line, and a missing one', async () => {
    const bad = file('bad.yaml', 'version: 1\npair:\n  prefix: an\n   sequence: 1\n');
    const error = await striker('manifest', 'validate', bad).catch((e: unknown) => e);
    expect((error as ValidationError).message).toMatch(/bad\.yaml is not valid YAML \(line 3, column \d+\)/);
    const missing = await striker('manifest', 'apply', join(dir, 'nope.yaml')).catch((e: unknown) => e);
    expect((missing as Error).message).toMatch(/cannot read .*nope\.yaml: ENOENT/);
  });
});
