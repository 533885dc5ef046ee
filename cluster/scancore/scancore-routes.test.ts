/**
 * `POST /api/agent/scan` on a real database: a host agent's report is stored under the
 * credential's host with `since` carried across scans, the host's health score is computed again,
 * and bad input is refused with the field named.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentArea } from '../../striker/agent/index.js';
import { addUser, createTestApp, type TestApp } from '../../test/support/test-app.js';
import { createTestDatabase, quietLogger } from '../../test/support/test-database.js';
import { healthHistory, latestReadings } from './readings-store.js';
import { parseScancoreConfig } from './scancore-config.js';
import { scancoreAgentRoutes } from './scancore-routes.js';

const hostId = '52-54-00-00-5c-01';
let t: TestApp;
let cred: string;
let now = Date.parse('2026-12-01T00:00:00Z');
const config = parseScancoreConfig({ scan: { reportMaxBytes: 16_384 } });

const post = (payload: unknown, credential: string | null = cred) =>
  t.app.inject({ method: 'POST', url: '/api/agent/scan', headers: credential === null ? {} : { authorization: `Bearer ${credential}` }, payload: payload as object });

const fan = (rpm: number, status: string) => ({ agent: 'ipmi', metric: 'ipmi.fan', subject: 'FAN1', value: rpm, unit: 'RPM', status });

beforeAll(async () => {
  const database = await createTestDatabase();
  const area = agentArea({ db: database.db, logger: quietLogger, inventoryMaxBytes: 8192 });
  t = await createTestApp({
    agentCredentials: area.credentialCheck,
    plugins: [(app) => area.plugin(app, undefined), (app) => scancoreAgentRoutes(app, { db: database.db, config, clock: () => new Date(now), logger: quietLogger, reportMaxBytes: config.scan.reportMaxBytes })],
  }, database);
  cred = (await database.db.tx((tx) => area.onRegistered(tx, hostId, '10.201.10.1'))).credential;
  await addUser(t, 'admin', 'admin');
});

afterAll(async () => t.close());

describe('POST /api/agent/scan', () => {
  it('stores the readings under the credential\'s host, carries since across scans and scores the host again', async () => {
    const first = await post({ readings: [fan(6000, 'ok')], outcomes: [{ agent: 'ipmi', ok: true, readings: 1 }] });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ stored: 1, health: { score: 0, reasons: [] } });
    const failedAt = (now += 30_000);
    await post({ readings: [fan(0, 'critical')], outcomes: [] });
    now += 30_000;
    const third = await post({ readings: [fan(0, 'critical')], outcomes: [] });
    expect(third.json().health.score).toBe(5);
    expect(third.json().health.reasons[0]).toMatchObject({ condition: 'fan-failed', weight: 5, subject: 'FAN1' });
    const [latest] = await latestReadings(t.t.db, [hostId]);
    expect(latest).toMatchObject({ hostId, value: 0, status: 'critical', since: failedAt, at: now });
    expect((await healthHistory(t.t.db, hostId, 0)).map((h) => h.score)).toEqual([0, 5, 5]);
  });

  it('refuses a malformed report with 400 naming the field, and stores nothing', async () => {
    const before = await t.t.db.query(`SELECT count(*)::int AS n FROM scan_readings`);
    const cases: [unknown, string][] = [
      [{ readings: [{ ...fan(1, 'ok'), status: 'fine' }], outcomes: [] }, 'body.readings.0.status'],
      [{ readings: [{ ...fan(1, 'ok'), metric: 'Robert\'); DROP TABLE x;--' }], outcomes: [] }, 'body.readings.0.metric'],
      [{ readings: [{ ...fan(1, 'ok'), value: { nested: true } }], outcomes: [] }, 'body.readings.0.value'],
      [{ readings: 'all of them', outcomes: [] }, 'body.readings'],
      [{ readings: [], outcomes: [], extra: 1 }, 'body.extra'],
      [[], 'body'],
    ];
    for (const [payload, field] of cases) {
      const r = await post(payload);
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      expect(JSON.stringify(r.json()), JSON.stringify(payload)).toContain(field);
    }
    expect((await t.t.db.query(`SELECT count(*)::int AS n FROM scan_readings`)).rows).toEqual(before.rows);
  });

  it('refuses a report over the size cap (413) and a request without an agent credential', async () => {
    const big = { readings: Array.from({ length: 400 }, (_, i) => ({ ...fan(i, 'ok'), subject: `FAN${i}`, message: 'x'.repeat(50) })), outcomes: [] };
    expect((await post(big)).statusCode).toBe(413);
    expect((await post({ readings: [], outcomes: [] }, null)).statusCode).toBe(401);
  });
});
