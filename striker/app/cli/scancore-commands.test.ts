/**
 * `striker scancore status|decisions|maintenance on|off` in process against a test database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordDecision } from '../../../cluster/scancore/decisions-store.js';
import { saveHealthScore } from '../../../cluster/scancore/readings-store.js';
import { listAudit } from '../../audit/audit-store.js';
import { createTestDatabase, quietLogger, type TestDatabase } from '../../../test/support/test-database.js';
import { buildProgram } from './program.js';

const dir = mkdtempSync(join(tmpdir(), 'striker-cli-scancore-'));
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
      runServe: async () => 0, runAgent: async () => 0,
    },
    () => undefined,
  );
  await program.parseAsync(['node', 'striker', ...args]);
  return out.join('');
}

beforeAll(async () => {
  t = await createTestDatabase();
  const at = Date.parse('2026-12-01T00:00:00Z');
  await saveHealthScore(t.db, { hostId: '52-54-00-00-cc-01', score: 5, reasons: [{ condition: 'fan-failed', weight: 5, subject: 'FAN1', text: 'Fan failed: FAN1 at 300 RPM' }] }, at);
  await recordDecision(t.db, { pairId: 'an-anvil-01', decidedAt: at, outcome: 'acted', jobIds: [],
    decision: { kind: 'migrate-servers', pair: 'an-anvil-01', from: 'an-a01n01', to: 'an-a01n02', servers: ['vm1'], cause: 'health', reasons: ['an-a01n01 is sicker'] } });
}, 60_000);

afterAll(async () => {
  await t.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('striker scancore', () => {
  it('status shows each host\'s score with its reasons', async () => {
    const out = await striker('scancore', 'status');
    expect(out).toContain('52-54-00-00-cc-01  score 5');
    expect(out).toContain('+5  Fan failed: FAN1 at 300 RPM');
  });

  it('decisions lists them with reasons and outcome; --json gives the records', async () => {
    expect(await striker('scancore', 'decisions')).toMatch(/an-anvil-01 {2}migrate-servers \(health\) {2}acted[\s\S]*an-a01n01 is sicker/);
    const json = JSON.parse(await striker('--json', 'scancore', 'decisions', '--pair', 'an-anvil-01'));
    expect(json.decisions).toMatchObject([{ pairId: 'an-anvil-01', kind: 'migrate-servers', outcome: 'acted' }]);
    await expect(striker('scancore', 'decisions', '--limit', '0')).rejects.toThrow(/--limit/);
    expect(JSON.parse(await striker('--json', 'scancore', 'decisions', '--outcome', 'acted')).decisions).toHaveLength(1);
    expect(JSON.parse(await striker('--json', 'scancore', 'decisions', '--outcome', 'not-acted')).decisions).toEqual([]);
    await expect(striker('scancore', 'decisions', '--outcome', 'won')).rejects.toThrow(/--outcome/);
  });

  it('maintenance on|off changes the flag with an audit row; a bad pair id names the field', async () => {
    expect(await striker('scancore', 'maintenance', 'on', '--pair', 'an-anvil-01')).toContain('maintenance mode on for an-anvil-01');
    expect(await striker('scancore', 'status')).toContain('pair an-anvil-01: MAINTENANCE (ScanCore does not act)');
    expect(await striker('scancore', 'maintenance', 'off')).toContain('maintenance mode off for an-anvil-01');
    expect(await striker('scancore', 'maintenance', 'off')).toContain('maintenance mode was already off');
    const audited = (await listAudit(t.db, 100)).filter((r) => r.action.startsWith('scancore.maintenance.')).map((r) => r.action).reverse();
    expect(audited).toEqual(['scancore.maintenance.on', 'scancore.maintenance.off', 'scancore.maintenance.off']);
    await expect(striker('scancore', 'maintenance', 'on', '--pair', '../etc')).rejects.toThrow(/pair/);
  });
});
