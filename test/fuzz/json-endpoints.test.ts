/**
 * Property test over every JSON endpoint of the whole appliance (core, repos, kickstart, machines,
 * setup, agents, manifests; routes read from the built app's `printRoutes`), logged in as an admin with the
 * CSRF token (the agent API, `/api/agent/*`, with a registered host's agent credential): path
 * parameters, query strings and bodies full of hostile values — NUL characters, deep nesting,
 * huge and unsafe numbers, wrong types, long strings, `__proto__` / `constructor` keys, dates out
 * of range. Whatever is sent, the answer is never a 5xx, and a refused request writes
 * nothing but the audit row recording the refusal (an action ending in `.refused`): the row count
 * of every table, the audit log's other rows included, is the same before and after it.
 *
 * The run is bounded (`RUNS_PER_ROUTE` cases per route) and seeded: a failure prints the seed and
 * the shrunk request; `FUZZ_SEED=<seed>` replays it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { issueCredentialAtRegistration } from '../../striker/agent/index.js';
import { areaPlugins, type Areas } from '../../striker/app/areas.js';
import { buildJobCatalog } from '../../striker/app/job-catalog.js';
import { loadConfig } from '../../striker/app/config/load-config.js';
import { addUser, createTestApp, loginAs, type Login, type TestApp } from '../support/test-app.js';
import { createTestDatabase, quietLogger } from '../support/test-database.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_206);
const RUNS_PER_ROUTE = 12;

/** Routes left out, and why. */
const skipped: Record<string, string> = {
  'DELETE /api/session': 'logs the fuzzing admin out',
  // A peer Striker's calls: they answer only a peer's token (x-striker-peer-token), which exists only
  // once two Strikers have peered; test/e2e/peers.test.ts sends them malformed, oversized and
  // wrongly authenticated requests between two real serves.
  'POST /api/peering/leave': "a peer's call, refused without a peer token",
  'POST /api/peering/keys': "a peer's call, refused without a peer token",
  'POST /api/peering/reseed': "a peer's call, refused without a peer token",
  // cluster/files/file-copy-keeper.test.ts sends it a non-peer's, a wrong and a good peer token.
  'GET /api/peering/files/:id/content': "a peer's call, refused without a peer token",
};

/**
 * Tables whose rows a refused request may legitimately add: boot events record refused kickstart
 * requests (written in batches, after the answer) and the machines they name.
 */
const recordsRefusals = new Set(['boot_events', 'machines']);

interface Route {
  method: string;
  url: string;
}

let dir: string;
let t: TestApp;
let areas: Areas;
let admin: Login;
/** Headers of a registered host's agent, for `/api/agent/*`. */
let agent: Record<string, string>;
let routes: Route[];
let tables: string[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'striker-fuzz-'));
  const database = await createTestDatabase();
  const config = loadConfig({ env: { STRIKER_DATA_DIR: dir } });
  areas = await areaPlugins({ config, db: database.db, logger: quietLogger });
  const catalog = buildJobCatalog(database.db, areas.jobKinds);
  t = await createTestApp({ config, catalog, agentCredentials: areas.agentCredentials, plugins: areas.plugins.map((p) => (app: FastifyInstance) => p(app, catalog)) }, database);
  await addUser(t, 'fuzzer', 'admin');
  admin = await loginAs(t, 'fuzzer');
  agent = { authorization: `Bearer ${(await database.db.tx((tx) => issueCredentialAtRegistration(tx, '52-54-00-0a-01-01', '127.0.0.1'))).credential}` };
  const hello = await t.app.inject({ method: 'POST', url: '/api/agent/hello', headers: agent, payload: { instanceId: 'fuzz-instance-0001', version: '0.1.0', strikerUrl: 'http://127.0.0.1' } });
  if (hello.statusCode !== 200) throw new Error(`agent hello failed: ${hello.statusCode} ${hello.body}`);
  routes = routesOf(t.app).filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS' && !r.url.includes('*') && skipped[`${r.method} ${r.url}`] === undefined);
  const { rows } = await t.t.db.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1");
  tables = rows.map((r) => r.table_name).filter((n) => n !== 'schema_migrations');
}, 120_000);

afterAll(async () => {
  await areas?.stop();
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every route with its methods, from fastify's route tree (`printRoutes` without common prefixes). */
function routesOf(app: FastifyInstance): Route[] {
  const out: Route[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+)(?: \(([^)]+)\))?/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    // Routes sharing a parametric segment print it as `:file|:hostId`: one parameter, named by the last.
    const url = (stack[depth - 1] ?? '') + m[2]!.replace(/(?::[A-Za-z]+\|)+(:[A-Za-z]+)/g, '$1');
    stack.push(url);
    for (const method of m[3]?.split(', ') ?? []) out.push({ method, url });
  }
  return out;
}

/** Rows per table; in the audit log, rows other than those recording a refusal (`*.refused`). */
async function rowCounts(): Promise<Record<string, number>> {
  const count = (n: string) => (n === 'audit_log' ? `count(*) FILTER (WHERE action NOT LIKE '%.refused')` : 'count(*)');
  const { rows } = await t.t.db.query<{ t: string; n: number }>(tables.map((n) => `SELECT '${n}' AS t, ${count(n)}::int AS n FROM "${n}"`).join(' UNION ALL '));
  return Object.fromEntries(rows.map((r) => [r.t, r.n]));
}

// ---- hostile values -------------------------------------------------------------------------

const hostileText = fc.oneof(
  fc.constantFrom('a\u0000b', '\u0000', '', ' ', '99999-01-01', '-271821-04-20', '+275760-09-13', '-1e20', '1e400', 'NaN', 'Infinity', '-0',
    '9007199254740993', '[object Object]', '__proto__', 'constructor', '../../etc/shadow', '%00', '\ud800', 'x'.repeat(5000), '52:54:00:0a:01:01', '10.201.10.1',
    '00000000-0000-0000-0000-000000000000', 'admin', 'true'),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

/** Field names the schemas use (so some values reach deep validation), and hostile ones. */
const fieldName = fc.oneof(
  fc.constantFrom('username', 'password', 'role', 'name', 'displayName', 'disabled', 'days', 'hostname', 'reservedIp', 'url', 'path', 'kind', 'payload', 'enabled',
    'source', 'gpgcheck', 'keepSnapshots', 'expression', 'timeZone', 'rootPassword', 'timezone', 'keyboard', 'language', 'tree', 'repos', 'domain', 'prefix', 'sequence',
    'networks', 'bcn', 'dns', 'ntp', 'mtu', 'token', 'event', 'limit', 'before', 'status', 'engine',
    'version', 'pair', 'hosts', 'node1', 'machine', 'addresses', 'links', 'macs', 'ipmi', 'pduOutlets', 'fenceDevices', 'upses', 'powers', 'clusterPassword', 'set'),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'a\u0000b', ''),
  fc.string({ maxLength: 10 }),
);

/** A JSON value as text, so numbers JSON.stringify cannot write (1e400) and duplicate keys can be sent. */
const hostileJson: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileText.map((s) => JSON.stringify(s)),
    fc.constantFrom('1e400', '-1e400', '9007199254740993', '1e308', '-0', '0.1', '-1', '4294967296', 'null', 'true', 'false', '[]', '{}', JSON.stringify('x'.repeat(200_000))),
    fc.integer({ min: 65, max: 100_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
    fc.integer({ min: 65, max: 20_000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
    fc.array(tie('value'), { maxLength: 4 }).map((vs) => `[${vs.join(',')}]`),
    fc.array(fc.tuple(fieldName, tie('value')), { maxLength: 6 }).map((es) => `{${es.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  ),
})).value;

/** Percent-encodes text, lone surrogates replaced (encodeURIComponent refuses them). */
const enc = (s: string): string => encodeURIComponent(s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));

const queryString = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom('limit', 'before', 'since', 'status', 'kind', '__proto__', 'constructor'), fc.string({ maxLength: 8 })), hostileText), { maxLength: 4 })
  .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&')}`));

const paramValue = fc.oneof(
  hostileText.filter((s) => s.length > 0 && s.length < 150),
  fc.uuid(),
  fc.constantFrom('52:54:00:0a:01:01', '52-54-00-0a-01-01', '52-54-00-0a-01-01.ks', 'alma9', 'admin', 'identity', 'network'),
);

function requestFor(route: Route) {
  const params = route.url.match(/:[A-Za-z]+/g) ?? [];
  return fc.record({
    params: fc.array(paramValue, { minLength: params.length, maxLength: params.length }),
    query: queryString,
    body: fc.option(hostileJson, { nil: undefined, freq: 5 }),
  }).map(({ params: values, query, body }) => {
    let url = route.url;
    params.forEach((p, i) => {
      url = url.replace(p, enc(values[i]!));
    });
    return { method: route.method, url: url + query, body: route.method === 'GET' ? undefined : body };
  });
}

describe('every JSON endpoint under hostile input', () => {
  it('finds the routes of every area', () => {
    const names = routes.map((r) => `${r.method} ${r.url}`);
    for (const expected of ['POST /api/users', 'PATCH /api/machines/:mac', 'PUT /api/settings/kickstart', 'POST /api/repos', 'PUT /api/setup/identity', 'POST /ks/:hostId/register', 'POST /api/manifests', 'PUT /api/manifests/:id', 'POST /api/manifests/validate', 'POST /api/agent/scan', 'GET /api/scancore/decisions', 'PUT /api/scancore/maintenance']) {
      expect(names).toContain(expected);
    }
  });

  it('never answers 5xx, and a refused request changes no table', async () => {
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (const route of routes) {
      const details = await fc.check(
        fc.asyncProperty(requestFor(route), async (req) => {
          const before = await rowCounts();
          const res = await t.app.inject({
            method: req.method as 'GET',
            url: req.url,
            headers: { ...(req.url.startsWith('/api/agent/') ? agent : admin.headers), ...(req.body === undefined ? {} : { 'content-type': 'application/json' }) },
            ...(req.body === undefined ? {} : { payload: req.body }),
          });
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          if (res.statusCode >= 500) throw new Error(`${req.method} ${req.url.slice(0, 200)} answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
          if (res.statusCode >= 400) {
            const after = await rowCounts();
            const changed = tables.filter((n) => before[n] !== after[n] && !recordsRefusals.has(n));
            if (changed.length > 0) throw new Error(`${req.method} ${req.url.slice(0, 200)} was refused (${res.statusCode}) but changed ${changed.join(', ')}`);
          }
        }),
        { seed: SEED, numRuns: RUNS_PER_ROUTE, endOnFailure: true },
      );
      if (details.failed) failures.push(`${route.method} ${route.url}: ${String(details.errorInstance)}\n${fc.defaultReportMessage(details)}`);
    }
    expect(failures, `seed ${SEED}`).toEqual([]);
    // The requests got past access control: most are refused as bad input, some accepted.
    expect(statuses.get(400) ?? 0).toBeGreaterThan(RUNS_PER_ROUTE * 10);
    expect([...statuses.keys()].some((s) => s >= 200 && s < 300)).toBe(true);
    expect(statuses.get(401) ?? 0).toBe(0);
    console.log('fuzz answers by status', Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])));
  }, 600_000);
});
