/**
 * Live job progress on the live channel's `jobs` topic, through a real socket: one `event: job`
 * per change, in order; a stream ends with the session that opened it. The job events and the
 * live topics share one LISTEN connection, as in `striker serve`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createTestApp, loginAs, type TestApp } from '../../test/support/test-app.js';
import { quietLogger } from '../../test/support/test-database.js';
import { testCatalog } from '../../test/support/test-job-kinds.js';
import { enqueueJob } from '../jobs/enqueue.js';
import { JobRunner } from '../jobs/job-runner.js';
import { createTestDatabase } from '../../test/support/test-database.js';
import { JobEvents, JOBS_CHANNEL } from './job-events.js';
import { LiveEvents, LIVE_CHANNEL } from './live-events.js';
import { NotifyListener } from './notify-listener.js';

let t: TestApp;
let runner: JobRunner;
let notify: NotifyListener;
let events: JobEvents;
let live: LiveEvents;

beforeAll(async () => {
  const db = await createTestDatabase();
  notify = new NotifyListener(db.db, quietLogger, [JOBS_CHANNEL, LIVE_CHANNEL]);
  events = new JobEvents(db.db, quietLogger, notify);
  await events.start();
  live = new LiveEvents(db.db, quietLogger, notify);
  await live.start();
  runner = new JobRunner({ db: db.db, catalog: testCatalog, logger: quietLogger, host: 'sse', workers: 1, pollSeconds: 0.05, heartbeatSeconds: 0.1, staleAfterSeconds: 10 });
  t = await createTestApp({ db: db.db, events, live, runner, liveStreamRecheckMs: 200 }, db);
  await addUser(t, 'vera', 'viewer');
  await t.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await runner.stop(1000);
  await events.close();
  await live.close();
  await notify.close();
  await t.close();
});

describe('GET /api/live?topics=jobs', () => {
  it('refuses anonymous clients', async () => {
    const address = t.app.server.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${address.port}/api/live?topics=jobs`);
    expect(res.status).toBe(401);
  });

  it('streams each change of a job up to 100, in order', async () => {
    const { cookie } = await loginAs(t, 'vera');
    const address = t.app.server.address() as { port: number };
    const controller = new AbortController();
    const res = await fetch(`http://127.0.0.1:${address.port}/api/live?topics=jobs`, { headers: { cookie }, signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toContain('no-store');
    const job = await enqueueJob(t.t.db, testCatalog, { kind: 'test.steps', payload: { steps: 4, stepMs: 20 } });
    await runner.start();
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const seen: { status: string; progress: number; text: string }[] = [];
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !seen.some((s) => s.status === 'succeeded')) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let idx: number;
      while ((idx = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, idx);
        buffer = buffer.slice(idx + 2);
        const data = frame.split('\n').find((l) => l.startsWith('data: '));
        if (frame.includes('event: job') && data) {
          const j = JSON.parse(data.slice(6)) as { id: string; status: string; progress: number; text: string };
          if (j.id === job.id) seen.push(j);
        }
      }
    }
    controller.abort();
    // Each event carries the job as it is when read, so fast changes may be coalesced.
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.at(-1)).toMatchObject({ status: 'succeeded', progress: 100 });
    const progress = seen.map((s) => s.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(seen.some((s) => s.text === 'Step 2 of 4')).toBe(true);
  });

  it('sends no job content to a stream that does not follow jobs', async () => {
    const { cookie } = await loginAs(t, 'vera');
    const address = t.app.server.address() as { port: number };
    const controller = new AbortController();
    const res = await fetch(`http://127.0.0.1:${address.port}/api/live?topics=machines`, { headers: { cookie }, signal: controller.signal });
    const frames = frameReader(res);
    expect(await frames.until((f) => f.startsWith('retry:'))).toBe(true);
    // The job's change has been read and handed to every subscriber before the machine changes,
    // so a job frame sent to this stream would come before the machine's.
    let delivered!: () => void;
    const seen = new Promise<void>((r) => (delivered = r));
    const stop = events.subscribe((j) => j.id === job.id && delivered());
    const job = await enqueueJob(t.t.db, testCatalog, { kind: 'test.steps', payload: { steps: 1, stepMs: 1 } });
    await seen;
    stop();
    await t.t.db.query(`INSERT INTO machines (mac) VALUES ('52:54:00:aa:00:03')`);
    expect(await frames.until((f) => f.includes('52:54:00:aa:00:03'))).toBe(true);
    expect(frames.all().some((f) => f.includes(job.id) || f.startsWith('event: job'))).toBe(false);
    controller.abort();
  });

  it('ends a stream, delivering nothing more, once its session is logged out', async () => {
    const login = await loginAs(t, 'vera');
    const address = t.app.server.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${address.port}/api/live?topics=jobs`, { headers: { cookie: login.cookie } });
    const frames = frameReader(res);
    const first = await enqueueJob(t.t.db, testCatalog, { kind: 'test.steps', payload: { steps: 1, stepMs: 1 } });
    expect(await frames.until((f) => f.includes(first.id))).toBe(true);
    const logout = await t.app.inject({ method: 'DELETE', url: '/api/session', headers: login.headers });
    expect(logout.statusCode).toBe(204);
    const after = await enqueueJob(t.t.db, testCatalog, { kind: 'test.steps', payload: { steps: 1, stepMs: 1 } });
    expect(await frames.until((f) => f.includes(after.id))).toBe(false); // the stream ended first
    expect(frames.all().some((f) => f.includes(after.id))).toBe(false);
  });

  it('ends an idle stream once its session is gone (deleted or expired)', async () => {
    for (const end of ['DELETE FROM sessions WHERE id = $1', "UPDATE sessions SET expires_at = clock_timestamp() - interval '1 second' WHERE id = $1"]) {
      const login = await loginAs(t, 'vera');
      const { rows } = await t.t.db.query<{ id: string }>('SELECT id FROM sessions ORDER BY created_at DESC LIMIT 1');
      const address = t.app.server.address() as { port: number };
      const res = await fetch(`http://127.0.0.1:${address.port}/api/live?topics=jobs`, { headers: { cookie: login.cookie } });
      const frames = frameReader(res);
      await t.t.db.query(end, [rows[0]!.id]);
      expect(await frames.until(() => false), end).toBe(false);
    }
  });
});

/** Reads SSE frames; `until` resolves true when a frame matches, false when the stream ends. */
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
