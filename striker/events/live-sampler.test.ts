/**
 * LiveSampler against a real PostgreSQL: a key whose sampled text changed (or that appeared or
 * went) reaches the live channel's subscribers as a change of the topic; an unchanged sample
 * announces nothing; the first sample is only the baseline; a failed sample is skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, quietLogger, type TestDatabase } from '../../test/support/test-database.js';
import { LiveEvents } from './live-events.js';
import { LiveSampler } from './live-sampler.js';
import type { LiveChange } from './live-topics.js';

let t: TestDatabase;
let live: LiveEvents;

beforeAll(async () => {
  t = await createTestDatabase();
  live = new LiveEvents(t.db, quietLogger);
  await live.start();
});
afterAll(async () => {
  await live.close();
  await t.drop();
});

describe('LiveSampler', () => {
  it('announces the keys whose state changed, only those, and only on a change', async () => {
    const heard: LiveChange[] = [];
    live.subscribe({ topics: new Set(['strikers']), onChange: (c) => heard.push(c) });
    let now: Map<string, string> | Error = new Map([['a', 'replicating'], ['b', 'lag 1.2 MB']]);
    const sampler = new LiveSampler({
      db: t.db,
      logger: quietLogger,
      topic: 'strikers',
      intervalMs: 60_000,
      sample: async () => {
        if (now instanceof Error) throw now;
        return now;
      },
    });
    expect(await sampler.tick()).toEqual([]); // the baseline
    expect(await sampler.tick()).toEqual([]); // nothing changed
    now = new Error('the replication status could not be read');
    expect(await sampler.tick()).toEqual([]);
    now = new Map([['b', 'lag 3.4 MB'], ['c', 'disconnected']]);
    expect([...(await sampler.tick())].sort()).toEqual(['a', 'b', 'c']);
    // A marker sent after the sampler's announcements arrives after them: nothing else was sent.
    await t.db.query("SELECT striker_notify_live('strikers', 'marker')");
    const deadline = Date.now() + 5000;
    while (!heard.some((c) => c.key === 'marker') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(heard.map((c) => c.key).sort()).toEqual(['a', 'b', 'c', 'marker']);
    expect(heard.every((c) => c.topic === 'strikers')).toBe(true);
    await sampler.stop();
  });
});
