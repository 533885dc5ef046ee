/**
 * `POST /api/agent/scan` on a real database: a host agent's report is stored under the
 * credential's host with `since` carried across scans, the host's health score is computed again,
 * and bad input is refused with the field named.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentArea } from '../../striker/agent/index.js';
import { addUser, createTestApp, loginAs, type Login, type TestApp } from '../../test/support/test-app.js';
import { createTestDatabase, quietLogger } from '../../test/support/test-database.js';
import { healthHistory, latestHealthScores, latestReadings } from './readings-store.js';
import { parseScancoreConfig } from './scancore-config.js';
import { recordDecision } from './decisions-store.js';
import { scancoreAgentRoutes, scancoreRoutes } from './scancore-routes.js';

const hostId = '52-54-00-00-5c-01';
let t: TestApp;
let cred: string;
let now = Date.parse('2026-12-01T00:00:00Z');
const config = parseScancoreConfig({
  scan: { reportMaxBytes: 16_384 },
  pairs: [{ id: 'an-anvil-01', nodes: [{ name: 'an-a01n01', hostId }, { name: 'an-a01n02', hostId: '52-54-00-00-5c-02' }] }],
});
let admin: Login;
let viewer: Login;

const post = (payload: unknown, credential: string | null = cred) =>
  t.app.inject({ method: 'POST', url: '/api/agent/scan', headers: credential === null ? {} : { authorization: `Bearer ${credential}` }, payload: payload as object });

const fan = (rpm: number, status: string) => ({ agent: 'ipmi', metric: 'ipmi.fan', subject: 'FAN1', value: rpm, unit: 'RPM', status });

beforeAll(async () => {
  const database = await createTestDatabase();
  const area = agentArea({ db: database.db, logger: quietLogger, inventoryMaxBytes: 8192 });
  t = await createTestApp({
    agentCredentials: area.credentialCheck,
    plugins: [(app) => area.plugin(app, undefined), (app) => scancoreAgentRoutes(app, { db: database.db, config, clock: () => new Date(now), logger: quietLogger, reportMaxBytes: config.scan.reportMaxBytes }), (app) => scancoreRoutes(app, { db: database.db, config })],
  }, database);
  cred = (await database.db.tx((tx) => area.onRegistered(tx, hostId, '10.201.10.1'))).credential;
  await addUser(t, 'admin', 'admin');
  await addUser(t, 'watcher', 'viewer');
  admin = await loginAs(t, 'admin');
  viewer = await loginAs(t, 'watcher');
});

const get = (url: string, who: Login = viewer) => t.app.inject({ method: 'GET', url, headers: who.headers });
const put = (payload: unknown, who: Login = admin) => t.app.inject({ method: 'PUT', url: '/api/scancore/maintenance', headers: who.headers, payload: payload as object });

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

describe('ScanCore API', () => {
  it('GET /api/scancore/hosts: each host\'s score, reasons and latest readings, the pair\'s unscored node too', async () => {
    const r = await get('/api/scancore/hosts');
    expect(r.statusCode).toBe(200);
    const hosts = r.json().hosts as { hostId: string; pair: string | null; node: string | null; score: number | null; reasons: { condition: string }[]; readings: { metric: string; status: string }[] }[];
    expect(hosts.map((h) => [h.hostId, h.pair, h.node, h.score])).toEqual([[hostId, 'an-anvil-01', 'an-a01n01', 5], ['52-54-00-00-5c-02', 'an-anvil-01', 'an-a01n02', null]]);
    expect(hosts[0]!.reasons.map((x) => x.condition)).toEqual(['fan-failed']);
    expect(hosts[0]!.readings).toMatchObject([{ metric: 'ipmi.fan', status: 'critical' }]);
  });

  it('GET /api/scancore/decisions pages newest first; a bad query is a 400 naming the field', async () => {
    for (let i = 0; i < 3; i++) {
      await recordDecision(t.t.db, { pairId: 'an-anvil-01', decidedAt: now + i * 1000, outcome: 'not-acted', notActedReason: 'not acted: maintenance mode',
        decision: { kind: 'migrate-servers', pair: 'an-anvil-01', from: 'an-a01n01', to: 'an-a01n02', servers: [`vm${i}`], cause: 'health', reasons: [`reason ${i}`] } });
    }
    const first = (await get('/api/scancore/decisions?limit=2')).json();
    expect(first.decisions.map((d: { reasons: string[] }) => d.reasons[0])).toEqual(['reason 2', 'reason 1']);
    const second = (await get(`/api/scancore/decisions?limit=2&before=${first.next}`)).json();
    expect(second).toMatchObject({ next: null, decisions: [{ reasons: ['reason 0'], outcome: 'not-acted', kind: 'migrate-servers' }] });
    for (const [q, field] of [['limit=0', 'query.limit'], ['limit=x', 'query.limit'], ['before=nope', 'query.before'], ['pair=%27%3B--', 'query.pair'], ['sort=1', 'query.sort']]) {
      const r = await get(`/api/scancore/decisions?${q}`);
      expect(r.statusCode, q).toBe(400);
      expect(r.body, q).toContain(field);
    }
  });

  it('GET /api/scancore/decisions filters by outcome (a failed job makes an acted decision failed), with each decision\'s jobs and its pair\'s nodes', async () => {
    const job = async (status: string, host: string) =>
      (await t.t.db.query<{ id: string }>(`INSERT INTO jobs (kind, status, progress, target_host) VALUES ('servers.migrate', $1, $2, $3) RETURNING id`, [status, status === 'succeeded' ? 100 : 0, host])).rows[0]!.id;
    const decision = (reason: string) => ({ kind: 'migrate-servers' as const, pair: 'an-anvil-02', from: 'an-a02n01', to: 'an-a02n02', servers: ['vm9'], cause: 'health' as const, reasons: [reason] });
    const ok = await job('succeeded', '52-54-00-00-5c-22');
    const bad = await job('failed', '52-54-00-00-5c-22');
    await recordDecision(t.t.db, { pairId: 'an-anvil-02', decidedAt: now + 10_000, outcome: 'acted', jobIds: [ok], decision: decision('went well') });
    await recordDecision(t.t.db, { pairId: 'an-anvil-02', decidedAt: now + 11_000, outcome: 'acted', jobIds: [ok, bad], decision: decision('went wrong') });
    await recordDecision(t.t.db, { pairId: 'an-anvil-02', decidedAt: now + 12_000, outcome: 'not-acted', notActedReason: 'not acted: maintenance mode', decision: decision('held back') });
    const of = async (q: string) => ((await get(`/api/scancore/decisions?pair=an-anvil-02${q}`)).json().decisions as { reasons: string[] }[]).map((d) => d.reasons[0]);
    await expect(of('')).resolves.toEqual(['held back', 'went wrong', 'went well']);
    await expect(of('&outcome=acted')).resolves.toEqual(['went well']);
    await expect(of('&outcome=failed')).resolves.toEqual(['went wrong']);
    await expect(of('&outcome=not-acted')).resolves.toEqual(['held back']);
    const failed = (await get('/api/scancore/decisions?pair=an-anvil-02&outcome=failed')).json();
    expect(failed.decisions[0].jobs).toEqual([
      { id: ok, kind: 'servers.migrate', status: 'succeeded', targetHost: '52-54-00-00-5c-22' },
      { id: bad, kind: 'servers.migrate', status: 'failed', targetHost: '52-54-00-00-5c-22' },
    ]);
    // an-anvil-02 is not among the watched pairs: no nodes to link; an-anvil-01 is.
    expect(failed.nodes).toEqual([]);
    expect((await get('/api/scancore/decisions?pair=an-anvil-01&limit=1')).json().nodes).toEqual([
      { pair: 'an-anvil-01', node: 'an-a01n01', hostId }, { pair: 'an-anvil-01', node: 'an-a01n02', hostId: '52-54-00-00-5c-02' },
    ]);
    const refused = await get('/api/scancore/decisions?outcome=maybe');
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('query.outcome');
  });

  it('PUT /api/scancore/maintenance: admin only, audited, one pair or all; bad input names the field', async () => {
    expect((await put({ enabled: true }, viewer)).statusCode).toBe(403);
    const on = await put({ enabled: true, pair: 'an-anvil-01' });
    expect(on.statusCode).toBe(200);
    expect(on.json()).toMatchObject({ changed: ['an-anvil-01'], pairs: [{ pairId: 'an-anvil-01', maintenance: true, changedBy: 'admin' }] });
    const states = (await get('/api/scancore/maintenance')).json().pairs as { pairId: string; maintenance: boolean; changedBy: string | null; changedAt: string | null }[];
    expect(states).toMatchObject([{ pairId: 'an-anvil-01', maintenance: true, changedBy: 'admin' }]);
    expect(Number.isNaN(Date.parse(states[0]!.changedAt ?? ''))).toBe(false);
    expect((await put({ enabled: false })).json()).toMatchObject({ changed: ['an-anvil-01'], pairs: [{ maintenance: false }] });
    const audited = await t.t.db.query<{ action: string }>(`SELECT action FROM audit_log WHERE action LIKE 'scancore.maintenance.%' ORDER BY at`);
    expect(audited.rows.map((x) => x.action)).toEqual(['scancore.maintenance.on', 'scancore.maintenance.off']);
    for (const [body, field] of [[{ enabled: 'yes' }, 'body.enabled'], [{}, 'body.enabled'], [{ enabled: true, pair: '../x' }, 'body.pair'], [{ enabled: true, extra: 1 }, 'body.extra']] as const) {
      const r = await put(body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.body).toContain(field);
    }
  });
});

describe('POST /api/agent/scan, a node of a watched pair', () => {
  it('scores "less RAM than the peer" from both nodes\' inventories, as the decision round does', async () => {
    const peer = '52-54-00-00-5c-02';
    for (const [id, gib] of [[hostId, 64], [peer, 256]] as const) {
      const inventory = { systemUuid: null, hostName: id, cpu: { model: 'x', count: 1 }, memoryBytes: gib * 2 ** 30, disks: [], nics: [] };
      await t.t.db.write(`INSERT INTO host_agents (host_id, version, instance_id, striker_url, started_at, last_heartbeat_at, inventory, inventory_at)
                          VALUES ($1, 'test', 'i', 'http://s', now(), now(), $2, now())
                          ON CONFLICT (host_id) DO UPDATE SET inventory = EXCLUDED.inventory`, [id, JSON.stringify(inventory)]);
    }
    try {
      now += 30_000;
      const scored = (await post({ readings: [fan(6000, 'ok')], outcomes: [] })).json().health;
      expect(scored.reasons.map((r: { condition: string }) => r.condition)).toContain('less-ram-than-peer');
      expect((await latestHealthScores(t.t.db, [hostId]))[0]!.reasons.map((r) => r.condition)).toContain('less-ram-than-peer');
    } finally {
      await t.t.db.write(`UPDATE host_agents SET inventory = NULL WHERE host_id = ANY($1)`, [[hostId, peer]]);
    }
  });
});
