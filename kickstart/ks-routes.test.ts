import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { installErrorHandling } from '../striker/http/error-handler.js';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryTimeline } from '../pxe/boot/timeline.js';
import { sampleInput, testRootHash } from '../test/fixtures/kickstart/sample-input.js';
import { kickstartConfigSchema } from './config.js';
import { lintKickstart } from './lint.js';
import { memoryExchange, MemoryTokenStore } from './registration-token.js';
import { createKickstartCounters, installErrorOf, kickstartPath, kickstartRoutes, type InstallFailure, type KickstartHost } from './ks-routes.js';
import { signedPath, signHost } from './signed-url.js';

const key = Buffer.alloc(32, 0x5a);
const start = new Date('2026-03-01T10:00:00Z');
const nodeIp = '10.201.10.2';
const strangerIp = '10.201.66.6';

function hostOf(role: 'node' | 'dr', n: number, check: KickstartHost['check']): KickstartHost {
  const { registration: _r, timelineUrl: _t, ...input } = sampleInput(role, n);
  return { hostId: input.host.hostId, reservedIp: input.host.bcn.ip, reservedMac: input.host.bcn.mac, input, check };
}

const hosts = new Map<string, KickstartHost>([
  ['host-node-1', hostOf('node', 1, { status: 'ready' })],
  ['host-dr-1', hostOf('dr', 1, { status: 'failed', problems: ['package kmod-drbd is not in the repos'] })],
  ['host-node-2', { ...hostOf('node', 2, { status: 'ready' }), input: { ...hostOf('node', 2, { status: 'ready' }).input, rootPasswordHash: 'plaintext!' } }],
]);

let app: FastifyInstance;
let logs: string[];
let timeline: MemoryTimeline;
let tokens: MemoryTokenStore;
let clock: Date;
const counters = createKickstartCounters();

let refusals: { hostId: string; peer: string; reason: string }[] = [];
let servedTo: string[] = [];
let failures: InstallFailure[] = [];

beforeEach(async () => {
  refusals = [];
  servedTo = [];
  failures = [];
  logs = [];
  timeline = new MemoryTimeline();
  tokens = new MemoryTokenStore();
  clock = start;
  const log = pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) });
  app = Fastify({ loggerInstance: log as FastifyBaseLogger });
  installErrorHandling(app);
  // As the API's access control does: every route must declare config.access.
  app.addHook('onRoute', (route) => {
    if ((route.config as { access?: string } | undefined)?.access !== 'public') throw new Error(`${route.url} lacks config.access`);
  });
  await app.register(kickstartRoutes({
    hosts: { find: async (id) => hosts.get(id) },
    tokens, timeline, signingKey: key, log, counters,
    config: kickstartConfigSchema.parse({}),
    peerMac: async (ip) => (ip === '10.201.10.99' ? '52:54:00:00:0a:01' : undefined),
    register: memoryExchange(tokens, async (hostId) => ({ hostId, agentToken: 'issued-by-lead' })),
    onRegistrationRefused: async (hostId, peer, reason) => void refusals.push({ hostId, peer, reason }),
    onServed: async (hostId) => void servedTo.push(hostId),
    // As the database does: only the host's latest token names its install.
    onFailed: async (report) => {
      if (tokens.entries.get(report.hostId)?.hash !== report.tokenHash) return false;
      failures.push(report);
      return true;
    },
    now: () => clock,
  }));
});

afterEach(async () => {
  await app.close();
  const all = logs.join('\n');
  // Whatever happened in the test, nothing secret reached the log.
  expect(all).not.toContain(testRootHash.slice(0, 20));
  expect(all).not.toMatch(/srt_[A-Za-z0-9_-]{10}/);
  expect(all).not.toMatch(/sig=[A-Za-z0-9_-]{10}/);
  expect(all).not.toMatch(/\d\.[A-Za-z0-9_-]{43}\.ks/);
  expect(all).not.toContain('rootpw');
});

const get = (url: string, remoteAddress: string) => app.inject({ method: 'GET', url, remoteAddress });
const post = (url: string, remoteAddress: string, payload: unknown) => app.inject({ method: 'POST', url, remoteAddress, payload: payload as object });

describe('GET /ks/:hostId.ks', () => {
  it('reports a served kickstart (the machine is installing), and not a refused or withheld one', async () => {
    expect((await get('/ks/host-node-1.ks', strangerIp)).statusCode).toBe(403);
    expect((await get('/ks/host-dr-1.ks', hosts.get('host-dr-1')!.reservedIp!)).statusCode).toBe(409);
    expect(servedTo).toEqual([]);
    expect((await get('/ks/host-node-1.ks', nodeIp)).statusCode).toBe(200);
    expect(servedTo).toEqual(['host-node-1']);
  });

  it('serves the kickstart to the reserved IP, with a fresh token and a signed events URL', async () => {
    const res = await get('/ks/host-node-1.ks', nodeIp);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toContain(`rootpw --iscrypted ${testRootHash}\n`);
    expect(res.body).toMatch(/"token":"srt_[A-Za-z0-9_-]{43}"/);
    expect(res.body).toMatch(/'http:\/\/10\.201\.4\.1\/ks\/host-node-1\/events\?exp=\d+&sig=[A-Za-z0-9_-]{43}'/);
    expect(lintKickstart(res.body)).toEqual({ ok: true, problems: [] });
    expect(tokens.entries.has('host-node-1')).toBe(true);
    expect(timeline.events).toEqual([{ step: 'kickstart.fetched', ip: nodeIp, at: start, details: { outcome: 'served', bytes: res.body.length } }]);
    expect(logs.join('\n')).toContain('kickstart served');
  });

  it('serves it to the reserved MAC (from the lease table) and to a valid signature from anywhere', async () => {
    expect((await get('/ks/host-node-1.ks', '10.201.10.99')).statusCode).toBe(200);
    const path = kickstartPath(key, 'host-node-1', start, 600);
    expect(path).toMatch(/^\/ks\/host-node-1\/\d+\.[A-Za-z0-9_-]{43}\.ks$/);
    expect((await get(path, '192.0.2.50')).statusCode).toBe(200);
    expect((await get(signedPath('/ks/host-node-1.ks', signHost(key, 'ks', 'host-node-1', start, 600)), '192.0.2.50')).statusCode).toBe(200);
    expect(logs.join('\n')).toMatch(/"url":"\/ks\/host-node-1\/\d+\.\[redacted\]\.ks"/);
    expect(logs.join('\n')).toContain('"url":"/ks/host-node-1.ks?exp=');
  });

  it.each([
    ['a wrong IP', () => '/ks/host-node-1.ks', strangerIp],
    ['an IP reserved for another host', () => '/ks/host-node-1.ks', '10.201.20.2'],
    ['an expired signature', () => signedPath('/ks/host-node-1.ks', signHost(key, 'ks', 'host-node-1', new Date(start.getTime() - 3_600_000), 600)), strangerIp],
    ['a forged signature', () => `/ks/host-node-1.ks?exp=${Math.floor(start.getTime() / 1000) + 600}&sig=${'A'.repeat(43)}`, strangerIp],
    ['a signature made with another key', () => signedPath('/ks/host-node-1.ks', signHost(Buffer.alloc(32, 1), 'ks', 'host-node-1', start, 600)), strangerIp],
    ["another host's signature", () => signedPath('/ks/host-node-1.ks', signHost(key, 'ks', 'host-node-2', start, 600)), strangerIp],
    ['an events signature', () => signedPath('/ks/host-node-1.ks', signHost(key, 'events', 'host-node-1', start, 600)), strangerIp],
    ['an unknown host', () => '/ks/host-nope.ks', nodeIp],
    ['a path without .ks', () => '/ks/host-node-1', nodeIp],
    ['a forged path signature', () => `/ks/host-node-1/${Math.floor(start.getTime() / 1000) + 600}.${'A'.repeat(43)}.ks`, strangerIp],
    ['a path signature for another host', () => kickstartPath(key, 'host-node-2', start, 600).replace('host-node-2', 'host-node-1'), strangerIp],
    ['an expired path signature', () => kickstartPath(key, 'host-node-1', new Date(start.getTime() - 7_200_000), 600), strangerIp],
    ['a mangled path signature', () => '/ks/host-node-1/123.abc.ks', nodeIp],
    ['a hostile host id', () => '/ks/..%2f..%2fetc%2fpasswd.ks', nodeIp],
  ])('refuses %s with 403 and no content', async (_name, url, ip) => {
    const before = counters.refused;
    const res = await get(url(), ip);
    expect(res.statusCode).toBe(403);
    expect(res.body).toBe('');
    expect(tokens.entries.size).toBe(0);
    expect(counters.refused).toBe(before + 1);
    expect(timeline.events.every((e) => e.details.outcome === 'refused')).toBe(true);
  });

  it('withholds a kickstart whose pre-boot check failed, without secrets', async () => {
    const res = await get('/ks/host-dr-1.ks', '10.201.20.2');
    expect(res.statusCode).toBe(409);
    expect(res.body).toBe('kickstart for host-dr-1 is not ready: its pre-boot check has failed\n');
    expect(tokens.entries.size).toBe(0);
    expect(timeline.events[0]?.details).toEqual({ outcome: 'blocked', check: 'failed' });
  });
});

describe('a host whose data cannot be rendered', () => {
  it('gets 500 with no content, keeps its token, and the log names the field but not the value', async () => {
    tokens.entries.set('host-node-2', { hash: 'f'.repeat(64), expiresAt: new Date(start.getTime() + 60_000) });
    const res = await get('/ks/host-node-2.ks', '10.201.10.3');
    expect(res.statusCode).toBe(500);
    expect(res.body).toBe('');
    expect(tokens.entries.get('host-node-2')?.hash).toBe('f'.repeat(64));
    const all = logs.join('\n');
    expect(all).toContain('"path":"rootPasswordHash"');
    expect(all).not.toContain('plaintext!');
  });
});

describe('registration and install events', () => {
  const tokenIn = (body: string): string => /"token":"(srt_[A-Za-z0-9_-]{43})"/.exec(body)?.[1] ?? '';

  it('registers once; a replayed or superseded token is refused', async () => {
    const first = tokenIn((await get('/ks/host-node-1.ks', nodeIp)).body);
    const second = tokenIn((await get('/ks/host-node-1.ks', nodeIp)).body);
    expect(second).not.toBe(first);
    expect((await post('/ks/host-node-1/register', nodeIp, { token: first })).statusCode).toBe(403);
    const ok = await post('/ks/host-node-1/register', nodeIp, { token: second });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ hostId: 'host-node-1', agentToken: 'issued-by-lead' });
    const replay = await post('/ks/host-node-1/register', nodeIp, { token: second });
    expect(replay.statusCode).toBe(403);
    expect(replay.body).toBe('');
    expect(timeline.events.filter((e) => e.step === 'host.registered')).toHaveLength(1);
    expect(logs.join('\n')).toContain('"reason":"invalid"');
    // Each refusal is handed on for the audit log: the superseded token, then the replay.
    expect(refusals).toEqual([
      { hostId: 'host-node-1', peer: nodeIp, reason: 'invalid' },
      { hostId: 'host-node-1', peer: nodeIp, reason: 'invalid' },
    ]);
  });

  it("refuses a token presented for another host, and after it expired", async () => {
    const token = tokenIn((await get('/ks/host-node-1.ks', nodeIp)).body);
    expect((await post('/ks/host-dr-1/register', nodeIp, { token })).statusCode).toBe(403);
    clock = new Date(start.getTime() + 25 * 3600 * 1000);
    expect((await post('/ks/host-node-1/register', nodeIp, { token })).statusCode).toBe(403);
    expect((await post('/ks/host-node-1/register', nodeIp, { token: 42 })).statusCode).toBe(403);
    expect((await post('/ks/host-node-1/register', nodeIp, 'not json')).statusCode).toBe(415);
  });

  it('records install finished from the host or its signed URL, and refuses others', async () => {
    const body = (await get('/ks/host-node-1.ks', nodeIp)).body;
    const signed = /'http:\/\/10\.201\.4\.1(\/ks\/host-node-1\/events\?[^']+)'/.exec(body)?.[1] as string;
    expect((await post('/ks/host-node-1/events', nodeIp, { event: 'install.finished' })).statusCode).toBe(204);
    expect((await post(signed, '192.0.2.9', { event: 'install.finished' })).statusCode).toBe(204);
    expect((await post('/ks/host-node-1/events', strangerIp, { event: 'install.finished' })).statusCode).toBe(403);
    expect((await post(signed.replace('host-node-1', 'host-dr-1'), strangerIp, { event: 'install.finished' })).statusCode).toBe(403);
    const bad = await post('/ks/host-node-1/events', nodeIp, { event: 'rm -rf' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: { problems: [{ path: 'body.event' }] } });
    expect(timeline.events.filter((e) => e.step === 'install.finished')).toHaveLength(2);
  });
});

describe('POST /ks/:hostId/failed: the installer reports a failed install', () => {
  /** Fetches host-node-1's kickstart: the signed failure URL %onerror posts to and the token served with it. */
  const served = async () => {
    const body = (await get('/ks/host-node-1.ks', nodeIp)).body;
    const url = /urllib\.request\.Request\('http:\/\/10\.201\.4\.1(\/ks\/host-node-1\/failed\?[^']+)'/.exec(body)?.[1] as string;
    const token = /'token': '(srt_[A-Za-z0-9_-]{43})'/.exec(body)?.[1] as string;
    expect(url).toBeDefined();
    expect(token).toBeDefined();
    return { url, token };
  };

  it('marks the install failed with its reason and puts the log tails on the timeline, secrets redacted', async () => {
    const { url, token } = await served();
    const tail = [
      'anaconda 34.25: running %post',
      `rootpw --iscrypted ${testRootHash}`,
      'curl --data {"token":"srt_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg"}',
      'GET /ks/host-node-1/events?exp=1&sig=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg',
      'Error in POSTIN scriptlet: exit status 1',
    ].join('\n');
    const reason = '%post failed while checking the package signatures (exit 1): packages not signed by a key this Striker trusts: evil-1.0-1.noarch';
    const res = await post(url, '192.0.2.9', { token, hostId: 'host-node-1', reason, logs: [{ file: '/mnt/sysimage/root/striker-ks-post.log', tail }, { file: '/tmp/anaconda.log', tail: 'x' }] });
    expect(res.statusCode).toBe(204);
    expect(failures).toEqual([{ hostId: 'host-node-1', tokenHash: tokens.entries.get('host-node-1')!.hash, reason, at: start }]);
    const failed = timeline.events.filter((e) => e.step === 'kickstart.failed');
    expect(failed).toEqual([{
      step: 'kickstart.failed', ip: '192.0.2.9', at: start,
      details: {
        hostId: 'host-node-1',
        reason,
        logs: [
          {
            file: '/mnt/sysimage/root/striker-ks-post.log',
            tail: [
              'anaconda 34.25: running %post',
              'rootpw --iscrypted [redacted]',
              'curl --data {"token":"[redacted]"}',
              'GET /ks/host-node-1/events?exp=1&sig=[redacted]',
              'Error in POSTIN scriptlet: exit status 1',
            ].join('\n'),
          },
          { file: '/tmp/anaconda.log', tail: 'x' },
        ],
      },
    }]);
    expect(counters.failed).toBeGreaterThan(0);
    expect(logs.join('\n')).toContain('"msg":"install failed"');
  });

  it('refuses a report with a token that is not the one served with the latest kickstart, changing nothing', async () => {
    const { url, token } = await served();
    const stranger = `srt_${'Q'.repeat(43)}`;
    expect((await post(url, nodeIp, { token: stranger, reason: 'forged' })).statusCode).toBe(403);
    // A second fetch (a reinstall) replaces the token: the first install's report no longer counts.
    await served();
    const stale = await post(url, nodeIp, { token, reason: 'the earlier install failed' });
    expect(stale.statusCode).toBe(403);
    expect(stale.body).toBe('');
    expect(failures).toEqual([]);
    expect(timeline.events.filter((e) => e.step === 'kickstart.failed')).toEqual([]);
    expect(logs.join('\n')).toContain('not-current-token');
  });

  it('refuses a stranger without a signature, and an unknown host', async () => {
    const { token } = await served();
    expect((await post('/ks/host-node-1/failed', strangerIp, { token, reason: 'x' })).statusCode).toBe(403);
    expect((await post('/ks/host-nobody/failed', nodeIp, { token, reason: 'x' })).statusCode).toBe(403);
    expect((await post('/ks/..%2f..%2fetc/failed', nodeIp, { token, reason: 'x' })).statusCode).toBe(403);
    expect(failures).toEqual([]);
  });

  it('refuses bodies that are not understood with the field named, and oversized ones with 413', async () => {
    const { url, token } = await served();
    const cases: [unknown, string[]][] = [
      [{ reason: 'x' }, ['body.token']],
      [{ token: 'srt_short', reason: 'x' }, ['body.token']],
      [{ token, reason: '' }, ['body.reason']],
      [{ token, reason: 'r'.repeat(2001) }, ['body.reason']],
      [{ token, reason: 42 }, ['body.reason']],
      [{ token, reason: 'x', logs: [{ file: 'relative/path', tail: '' }] }, ['body.logs.0.file']],
      [{ token, reason: 'x', logs: [{ file: '/tmp/../../etc/$(reboot)', tail: '' }] }, ['body.logs.0.file']],
      [{ token, reason: 'x', logs: [{ file: '/tmp/a.log', tail: 'y'.repeat(8193) }] }, ['body.logs.0.tail']],
      [{ token, reason: 'x', logs: Array.from({ length: 7 }, () => ({ file: '/tmp/a.log', tail: '' })) }, ['body.logs']],
      [{ token, reason: 'x', logs: [{ file: '/tmp/a.log', tail: '', extra: 1 }] }, ['body.logs.0.extra']],
      [{ token, reason: 'x', state: 'installed' }, ['body.state']],
      [[1, 2, 3], ['body']],
    ];
    for (const [body, paths] of cases) {
      const res = await post(url, nodeIp, body);
      expect(res.statusCode, paths.join()).toBe(400);
      expect(res.json().error.details.problems.map((p: { path: string }) => p.path)).toEqual(paths);
    }
    const notJson = await app.inject({ method: 'POST', url, remoteAddress: nodeIp, payload: '{"token": ', headers: { 'content-type': 'application/json' } });
    expect(notJson.statusCode).toBe(400);
    const huge = await post(url, nodeIp, { token, reason: 'x', logs: [{ file: '/tmp/a.log', tail: 'z'.repeat(70_000) }] });
    expect(huge.statusCode).toBe(413);
    expect(failures).toEqual([]);
    expect(timeline.events.filter((e) => e.step === 'kickstart.failed')).toEqual([]);
  });

  it('keeps a hostile reason as one bounded line, secrets redacted', async () => {
    const { url, token } = await served();
    const hostile = `<script>alert(1)</script>\u0000\r\n\u001b[31m--iscrypted ${testRootHash} srt_${'A'.repeat(43)} ${'ä'.repeat(1500)}`.slice(0, 2000);
    expect((await post(url, nodeIp, { token, reason: hostile })).statusCode).toBe(204);
    const kept = failures[0]!.reason;
    expect(kept.length).toBeLessThanOrEqual(1000);
    expect(kept).not.toMatch(/[\u0000-\u001f]/);
    expect(kept).not.toContain(testRootHash.slice(0, 20));
    expect(kept.startsWith('<script>alert(1)</script> [31m--iscrypted [redacted] [redacted] ää')).toBe(true);
    expect(kept.endsWith('ä…')).toBe(true);
    expect(installErrorOf(' \n\t ')).toBe('the installer reported a failure without a reason');
  });
});
