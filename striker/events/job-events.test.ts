/**
 * JobEvents against a real PostgreSQL: NOTIFY → one read of the job → every subscriber, in order.
 * The ordering test holds back the answer of a chosen read, so the race they guard against
 * (an older snapshot delivered after a newer one) happens on every run, not by chance.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { createTestDatabase, quietLogger, type TestDatabase } from '../../test/support/test-database.js';
import { testCatalog } from '../../test/support/test-job-kinds.js';
import { enqueueJob } from '../jobs/enqueue.js';
import type { Job } from '../jobs/job.js';
import { JobEvents } from './job-events.js';

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.drop();
});

/** The real database, with each job read's answer held until `release(n)` for the n-th read. */
function gatedDatabase(db: Database) {
  const gates: { open: () => void; opened: Promise<void> }[] = [];
  let reads = 0;
  let notifications = 0;
  const notified: (() => void)[] = [];
  const gate = (n: number) => {
    while (gates.length <= n) {
      let open!: () => void;
      const opened = new Promise<void>((r) => (open = r));
      gates.push({ open, opened });
    }
    return gates[n]!;
  };
  const wrapped: Database = {

    url: db.url,
    tx: (fn) => db.tx(fn),
    ping: () => db.ping(),
    close: () => db.close(),
    async query<R extends pg.QueryResultRow>(text: string, values?: readonly unknown[]) {
      const result = await db.query<R>(text, values);
      if (text.startsWith('SELECT * FROM jobs WHERE id')) await gate(reads++).opened;
      return result;
    },
    write: (text, values) => db.write(text, values),
    connect: () => db.connect(),
    listen(channel, onNotify, onLost) {
      return db.listen(
        channel,
        (payload, ch) => {
          notifications++;
          onNotify(payload, ch);
          // JobEvents' handler has taken its synchronous steps; let it go on before counting this one handled.
          setImmediate(() => notified.splice(0).forEach((f) => f()));
        },
        onLost,
      );
    },
  };
  return {
    db: wrapped,
    release: (n: number) => gate(n).open(),
    get reads() {
      return reads;
    },
    /** Resolves once `count` notifications have reached the listening connection and been handled. */
    async notifications(count: number): Promise<void> {
      while (notifications < count) await new Promise<void>((r) => notified.push(r));
      await new Promise<void>((r) => setImmediate(r));
    },
  };
}

async function setProgress(id: string, progress: number): Promise<void> {
  await t.db.query('UPDATE jobs SET progress = $2 WHERE id = $1', [id, progress]);
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('JobEvents', () => {
  it('hands each change of a job to every subscriber, read from the database', async () => {
    const events = new JobEvents(t.db, quietLogger);
    await events.start();
    const a: Job[] = [];
    const b: Job[] = [];
    events.subscribe((j) => a.push(j));
    const unsubscribe = events.subscribe((j) => b.push(j));
    expect(events.subscribers).toBe(2);
    const job = await enqueueJob(t.db, testCatalog, { kind: 'test.steps', payload: { steps: 1, stepMs: 0 } });
    await until(() => a.length >= 1 && b.length >= 1, 'the insert');
    await setProgress(job.id, 40);
    await until(() => a.at(-1)?.progress === 40 && b.at(-1)?.progress === 40, 'the update');
    unsubscribe();
    await setProgress(job.id, 60);
    await until(() => a.at(-1)?.progress === 60, 'the second update');
    expect(b.at(-1)?.progress).toBe(40);
    expect(a.every((j) => j.id === job.id)).toBe(true);
    await events.close();
    expect(events.connected).toBe(false);
  });

  it('never delivers an older snapshot after a newer one when reads finish out of order', async () => {
    const gated = gatedDatabase(t.db);
    const events = new JobEvents(gated.db, quietLogger);
    await events.start();
    const seen: number[] = [];
    events.subscribe((j) => seen.push(j.progress));
    // Read 0 (of the insert, progress 0) is held; the job then moves to 25 and 50.
    const job = await enqueueJob(t.db, testCatalog, { kind: 'test.steps', payload: { steps: 1, stepMs: 0 } });
    await gated.notifications(1);
    await setProgress(job.id, 25);
    await setProgress(job.id, 50);
    await gated.notifications(3);
    // Any read issued now would see 50; let every later read through, and the held one last.
    for (let n = 1; n < 10; n++) gated.release(n);
    await new Promise((r) => setTimeout(r, 50));
    gated.release(0);
    await until(() => seen.at(-1) === 50, 'the latest snapshot');
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([...seen].sort((x, y) => x - y));
    expect(seen.at(-1)).toBe(50);
    // Changes that arrived while a read was in flight are coalesced into one more read.
    expect(gated.reads).toBe(2);
    await events.close();
  });

  it('ignores payloads that are not a job announcement', async () => {
    const events = new JobEvents(t.db, quietLogger);
    await events.start();
    const seen: Job[] = [];
    events.subscribe((j) => seen.push(j));
    for (const payload of ['not json', '{}', '{"id":42}', '{"id":null}', '[]', `{"id":"${'x'.repeat(7000)}"}`]) {
      await t.db.query("SELECT pg_notify('striker_jobs', $1)", [payload]);
    }
    const job = await enqueueJob(t.db, testCatalog, { kind: 'test.steps', payload: { steps: 1, stepMs: 0 } });
    await until(() => seen.length >= 1, 'the real job');
    expect(seen.map((j) => j.id)).toEqual([job.id]);
    expect(events.connected).toBe(true);
    await events.close();
  });
});
