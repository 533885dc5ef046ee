/**
 * The host page's ScanCore routes on a real database: one host's score, readings and its pair's
 * decisions; a metric's series bucketed to at most the points asked for (averages per bucket,
 * subjects aligned on one time axis, latest/min/max), the health score as a series, and bad
 * input refused with the field named.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createTestApp, loginAs, type Login, type TestApp } from '../../test/support/test-app.js';
import { createTestDatabase } from '../../test/support/test-database.js';
import { saveHealthScore, saveReadings } from './readings-store.js';
import { parseScancoreConfig } from './scancore-config.js';
import { scancoreHostRoutes } from './scancore-host-routes.js';
import type { TimedReading } from './reading.js';
import { alignSeries, bucketSeconds } from './series.js';

const hostId = '52-54-00-00-5d-01';
const T0 = Date.parse('2026-12-01T00:00:00Z');
const HOUR = 3_600_000;
const config = parseScancoreConfig({ pairs: [{ id: 'an-anvil-01', nodes: [{ name: 'an-a01n01', hostId }, { name: 'an-a01n02', hostId: '52-54-00-00-5d-02' }] }] });
/** The pairs ScanCore watches, read per request (an applied manifest's pair appears without a restart). */
let watched = config.pairs;
let t: TestApp;
let viewer: Login;

const temp = (subject: string, value: number | string, at: number): TimedReading => ({ hostId, agent: 'ipmi', metric: 'ipmi.temperature', subject, value, unit: 'C', status: 'ok', at, since: T0 });

beforeAll(async () => {
  const database = await createTestDatabase();
  t = await createTestApp({ plugins: [(app) => scancoreHostRoutes(app, { db: database.db, config: parseScancoreConfig({}), pairs: async () => watched, now: () => T0 + 4 * HOUR })] }, database);
  // Four hours of a CPU sensor every minute (value = minute of the hour), a board sensor for the last hour, and a text value that is not plotted.
  const readings: TimedReading[] = [];
  for (let m = 0; m < 240; m++) readings.push(temp('CPU1', m % 60, T0 + m * 60_000));
  for (let m = 180; m < 240; m++) readings.push(temp('Board', 30, T0 + m * 60_000));
  readings.push(temp('CPU1', 'n/a', T0 + 10 * 60_000 + 1));
  await saveReadings(t.t.db, readings);
  for (let h = 0; h < 4; h++) await saveHealthScore(t.t.db, { hostId, score: h, reasons: [] }, T0 + h * HOUR);
  await addUser(t, 'watcher', 'viewer');
  viewer = await loginAs(t, 'watcher');
});
afterAll(async () => t.close());

const get = (url: string) => t.app.inject({ method: 'GET', url, headers: viewer.headers });

describe('GET /api/scancore/hosts/:hostId', () => {
  it('shows the host\'s newest score, its latest reading of each subject and its pair', async () => {
    const res = await get(`/api/scancore/hosts/${hostId}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ hostId, pair: 'an-anvil-01', node: 'an-a01n01', score: 3, decisions: [] });
    expect(body.readings.map((r: { subject: string; value: unknown }) => [r.subject, r.value]).sort()).toEqual([['Board', 30], ['CPU1', 59]]);
  });

  it('places the host in a pair as the watched pairs stand at each request (a manifest applied later)', async () => {
    watched = [];
    try {
      expect((await get(`/api/scancore/hosts/${hostId}`)).json()).toMatchObject({ hostId, pair: null, node: null });
    } finally {
      watched = config.pairs;
    }
    expect((await get(`/api/scancore/hosts/${hostId}`)).json()).toMatchObject({ pair: 'an-anvil-01', node: 'an-a01n01' });
  });

  it('answers 404 for a host it knows nothing of, and 400 for a malformed id', async () => {
    expect((await get('/api/scancore/hosts/52-54-00-99-99-99')).statusCode).toBe(404);
    const bad = await get('/api/scancore/hosts/..%2Fetc');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.problems[0].path).toBe('params.hostId');
  });
});

describe('GET /api/scancore/hosts/:hostId/series', () => {
  it('averages a metric into at most the points asked for, subjects aligned on one time axis', async () => {
    const res = await get(`/api/scancore/hosts/${hostId}/series?metric=ipmi.temperature&from=2026-12-01T00:00:00Z&to=2026-12-01T04:00:00Z&points=4`);
    expect(res.statusCode).toBe(200);
    const s = res.json();
    expect(s.bucketSeconds).toBe(3600);
    expect(s.times).toEqual([0, 1, 2, 3].map((h) => (T0 + h * HOUR) / 1000));
    const cpu = s.subjects.find((x: { subject: string }) => x.subject === 'CPU1');
    const board = s.subjects.find((x: { subject: string }) => x.subject === 'Board');
    expect(cpu.values).toEqual([29.5, 29.5, 29.5, 29.5]); // the average of 0..59; the text value is left out
    expect(board.values).toEqual([null, null, null, 30]);
    expect(board).toMatchObject({ latest: 30, min: 30, max: 30, unit: 'C' });
  });

  it('never returns more than 1,000 points, whatever the range', async () => {
    const s = (await get(`/api/scancore/hosts/${hostId}/series?metric=ipmi.temperature&from=2026-11-01T00:00:00Z&to=2026-12-01T04:00:00Z&points=1000`)).json();
    expect(s.times.length).toBeLessThanOrEqual(1000);
    expect(s.times.length).toBeGreaterThan(0);
    expect((await get(`/api/scancore/hosts/${hostId}/series?metric=ipmi.temperature&points=1001`)).statusCode).toBe(400);
  });

  it('plots the health score as metric=health, over the last day by default', async () => {
    const s = (await get(`/api/scancore/hosts/${hostId}/series?metric=health`)).json();
    expect(s.subjects).toHaveLength(1);
    expect(s.subjects[0]).toMatchObject({ subject: 'score', latest: 3, min: 0, max: 3 });
    expect(s.to).toBe(new Date(T0 + 4 * HOUR).toISOString());
  });

  it('refuses a bad metric, date, range or extra parameter with a 400 naming it', async () => {
    const cases: [string, string][] = [
      ['metric=DROP%20TABLE', 'query.metric'],
      ['metric=ipmi.fan&from=yesterday', 'query.from'],
      ['metric=ipmi.fan&from=2026-12-02&to=2026-12-01', 'query.from'],
      ['metric=ipmi.fan&from=2026-01-01&to=2026-12-01', 'query.from'],
      ['metric=ipmi.fan&points=1', 'query.points'],
      ['metric=ipmi.fan&colour=red', 'query'],
      ['', 'query.metric'],
    ];
    for (const [query, path] of cases) {
      const res = await get(`/api/scancore/hosts/${hostId}/series?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.details.problems.map((p: { path: string }) => p.path).join(' '), query).toContain(path);
    }
  });
});

describe('alignSeries', () => {
  it('fills gaps with null and keeps latest, min and max per subject', () => {
    const s = alignSeries({ hostId, metric: 'ups.charge', fromMs: 0, toMs: 3000, bucketSeconds: 1, rows: [
      { subject: 'ups1', unit: '%', at: 0, value: 100 }, { subject: 'ups2', unit: '%', at: 1000, value: 50 }, { subject: 'ups1', unit: '%', at: 2000, value: 90 },
    ] });
    expect(s.times).toEqual([0, 1, 2]);
    expect(s.subjects).toEqual([
      { subject: 'ups1', unit: '%', values: [100, null, 90], latest: 90, min: 90, max: 100 },
      { subject: 'ups2', unit: '%', values: [null, 50, null], latest: 50, min: 50, max: 50 },
    ]);
    expect(bucketSeconds(0, 86_400_000, 1000)).toBe(87);
  });
});
