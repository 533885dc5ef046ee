/**
 * The live channel through a real socket: topics validated, anonymous clients refused, a change
 * to a followed table reaching the stream (and one to another topic not), keep-alives, the cap
 * on streams per session, and streams ended when the app closes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createTestApp, loginAs, type TestApp } from '../../test/support/test-app.js';
import { createTestDatabase, quietLogger } from '../../test/support/test-database.js';
import { JOBS_CHANNEL } from './job-events.js';
import { LiveEvents, LIVE_CHANNEL } from './live-events.js';
import { NotifyListener } from './notify-listener.js';

let t: TestApp;
let live: LiveEvents;
let base: string;

beforeAll(async () => {
  const db = await createTestDatabase();
  live = new LiveEvents(db.db, quietLogger);
  await live.start();
  t = await createTestApp({ db: db.db, live, liveKeepAliveMs: 100, liveStreamsPerCredential: 2 }, db);
  await addUser(t, 'vera', 'viewer');
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await live.close();
  await t.close();
});

describe('GET /api/live', () => {
  it('refuses anonymous clients', async () => {
    const res = await fetch(`${base}/api/live?topics=machines`);
    expect(res.status).toBe(401);
  });

  it('refuses unknown, empty or missing topics with a 400 naming query.topics', async () => {
    const { headers } = await loginAs(t, 'vera');
    for (const url of ['/api/live?topics=machines,bogus', '/api/live?topics=', '/api/live', '/api/live?topics=machines&extra=1']) {
      const res = await t.app.inject({ method: 'GET', url, headers });
      expect(res.statusCode, url).toBe(400);
      const problems = (res.json() as { error: { details: { problems: { path: string; message: string }[] } } }).error.details.problems;
      expect(problems.some((p) => p.path.startsWith('query.topics') || p.path === 'query.extra' || p.path === 'query'), `${url}: ${JSON.stringify(problems)}`).toBe(true);
    }
  });

  it('streams a change to a followed table as event: change {topic, key}, and nothing of other topics', async () => {
    const { cookie } = await loginAs(t, 'vera');
    const controller = new AbortController();
    const res = await fetch(`${base}/api/live?topics=machines,scancore`, { headers: { cookie }, signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const frames = frameReader(res);
    expect(await frames.until((f) => f.startsWith('retry:'))).toBe(true);
    await t.t.db.query(`INSERT INTO repos (name, config) VALUES ('not-followed', '{}')`);
    await t.t.db.query(`INSERT INTO machines (mac) VALUES ('52:54:00:aa:00:01')`);
    expect(await frames.until((f) => f.includes('event: change'))).toBe(true);
    const changes = () => frames.all().filter((f) => f.includes('event: change')).map((f) => JSON.parse(f.split('data: ')[1]!) as { topic: string; key: string });
    expect(changes()).toEqual([{ topic: 'machines', key: '52:54:00:aa:00:01' }]);

    // Readings of two hosts stored in one statement: one change per host.
    await t.t.db.query(
      `INSERT INTO scan_readings (host_id, agent, metric, subject, value, status, read_at, status_since)
       SELECT h, 'ipmi', 'ipmi.temperature', 'CPU', '40', 'ok', now(), now() FROM unnest(ARRAY['52-54-00-00-00-0a', '52-54-00-00-00-0a', '52-54-00-00-00-0b']) AS h`,
    );
    expect(await frames.until(() => changes().filter((c) => c.topic === 'scancore').length >= 2)).toBe(true);
    expect(changes().filter((c) => c.topic === 'scancore').map((c) => c.key).sort()).toEqual(['52-54-00-00-00-0a', '52-54-00-00-00-0b']);
    expect(changes().some((c) => c.key === 'not-followed')).toBe(false);
    controller.abort();
  });

  it('sends keep-alive comments on an idle stream', async () => {
    const { cookie } = await loginAs(t, 'vera');
    const controller = new AbortController();
    const res = await fetch(`${base}/api/live?topics=alerts`, { headers: { cookie }, signal: controller.signal });
    expect(await frameReader(res).until((f) => f.startsWith(': keep-alive'))).toBe(true);
    controller.abort();
  });

  it('holds at most the configured number of streams per session, and frees a slot when one ends', async () => {
    const { cookie } = await loginAs(t, 'vera');
    const controllers = [new AbortController(), new AbortController()];
    const open = await Promise.all(controllers.map((c) => fetch(`${base}/api/live?topics=jobs`, { headers: { cookie }, signal: c.signal })));
    expect(open.map((r) => r.status)).toEqual([200, 200]);
    const third = await fetch(`${base}/api/live?topics=jobs`, { headers: { cookie } });
    expect(third.status).toBe(429);
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    // Another session has its own allowance.
    const other = await loginAs(t, 'vera');
    const otherController = new AbortController();
    expect((await fetch(`${base}/api/live?topics=jobs`, { headers: { cookie: other.cookie }, signal: otherController.signal })).status).toBe(200);
    otherController.abort();
    controllers[0]!.abort();
    let again: Response | undefined;
    for (let i = 0; i < 100 && again?.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 20));
      again = await fetch(`${base}/api/live?topics=jobs`, { headers: { cookie } });
      if (again.status === 200) void again.body?.cancel();
    }
    expect(again?.status).toBe(200);
    controllers[1]!.abort();
  });
});

describe('reconnect', () => {
  it('after the database drops the listening connection: a resync is sent, and later changes still arrive', async () => {
    const db = await createTestDatabase();
    const notify = new NotifyListener(db.db, quietLogger, [JOBS_CHANNEL, LIVE_CHANNEL], 50);
    const events = new LiveEvents(db.db, quietLogger, notify);
    await events.start();
    const app = await createTestApp({ db: db.db, live: events }, db);
    await addUser(app, 'vera', 'viewer');
    await app.app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const { cookie } = await loginAs(app, 'vera');
      const controller = new AbortController();
      const res = await fetch(`http://127.0.0.1:${(app.app.server.address() as { port: number }).port}/api/live?topics=machines`, { headers: { cookie }, signal: controller.signal });
      const frames = frameReader(res);
      expect(await frames.until((f) => f.startsWith('retry:'))).toBe(true);
      // One connection listens on both channels; the database ends it.
      const killed = await db.db.query<{ n: string }>(
        `SELECT count(pg_terminate_backend(pid))::text AS n FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'LISTEN %'`,
      );
      expect(killed.rows[0]!.n).toBe('1');
      expect(await frames.until((f) => f.startsWith('event: resync'))).toBe(true);
      expect(notify.connected).toBe(true);
      await db.db.query(`INSERT INTO machines (mac) VALUES ('52:54:00:aa:00:02')`);
      expect(await frames.until((f) => f.includes('event: change') && f.includes('52:54:00:aa:00:02'))).toBe(true);
      controller.abort();
    } finally {
      await app.app.close();
      await events.close();
      await notify.close();
      await db.drop();
    }
  });
});

describe('shutdown', () => {
  it('ends open streams when the app closes', async () => {
    const db = await createTestDatabase();
    const events = new LiveEvents(db.db, quietLogger);
    await events.start();
    const app = await createTestApp({ db: db.db, live: events }, db);
    await addUser(app, 'vera', 'viewer');
    await app.app.listen({ host: '127.0.0.1', port: 0 });
    const { cookie } = await loginAs(app, 'vera');
    const res = await fetch(`http://127.0.0.1:${(app.app.server.address() as { port: number }).port}/api/live?topics=machines`, { headers: { cookie } });
    const frames = frameReader(res);
    expect(await frames.until((f) => f.startsWith('retry:'))).toBe(true);
    await app.app.close();
    expect(await frames.until(() => false)).toBe(false); // the stream ended
    await events.close();
    await db.drop();
  });
});

/** Reads SSE frames; `until` resolves true when a frame (or the frames so far) match, false when the stream ends. */
function frameReader(res: Response) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const seen: string[] = [];
  let buffer = '';
  return {
    all: () => seen,
    async until(match: (frame: string) => boolean): Promise<boolean> {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return false;
        buffer += decoder.decode(value, { stream: true });
        let idx: number;
        while ((idx = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, idx);
          buffer = buffer.slice(idx + 2);
          seen.push(frame);
          if (match(frame)) return true;
        }
      }
    },
  };
}
