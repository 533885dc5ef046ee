/**
 * Live job progress over server-sent events, through a real socket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createTestApp, loginAs, type TestApp } from '../../test/support/test-app.js';
import { quietLogger } from '../../test/support/test-database.js';
import { testCatalog } from '../../test/support/test-job-kinds.js';
import { enqueueJob } from './enqueue.js';
import { JobEvents } from '../events/job-events.js';
import { JobRunner } from './job-runner.js';
import { createTestDatabase } from '../../test/support/test-database.js';

let t: TestApp;
let runner: JobRunner;
let events: JobEvents;

beforeAll(async () => {
  const db = await createTestDatabase();
  events = new JobEvents(db.db, quietLogger);
  await events.start();
  runner = new JobRunner({ db: db.db, catalog: testCatalog, logger: quietLogger, host: 'sse', workers: 1, pollSeconds: 0.05, heartbeatSeconds: 0.1, staleAfterSeconds: 10 });
  t = await createTestApp({ db: db.db, events, runner }, db);
  await addUser(t, 'vera', 'viewer');
  await t.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await runner.stop(1000);
  await events.close();
  await t.close();
});

describe('GET /api/jobs/events', () => {
  it('refuses anonymous clients', async () => {
    const address = t.app.server.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${address.port}/api/jobs/events`);
    expect(res.status).toBe(401);
  });

  it('streams each change of a job up to 100, in order', async () => {
    const { cookie } = await loginAs(t, 'vera');
    const address = t.app.server.address() as { port: number };
    const controller = new AbortController();
    const res = await fetch(`http://127.0.0.1:${address.port}/api/jobs/events`, { headers: { cookie }, signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
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
});
