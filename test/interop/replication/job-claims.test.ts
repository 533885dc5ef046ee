/**
 * Where a job's claim lives: two Strikers' databases replicating both ways, a real Striker job
 * runner on each, 1,000 jobs enqueued (half through each Striker). Every job is seen in both
 * databases, yet each runs exactly once, on the Striker that owns it (the one it was enqueued on).
 * Without the owner rule both runners would claim every job (each database grants its own claims).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { catalogOf, defineJobKind } from '../../../striker/jobs/job-kind.js';
import { enqueueJob } from '../../../striker/jobs/enqueue.js';
import { JobRunner } from '../../../striker/jobs/job-runner.js';
import { converged, joinMesh, replicationLogger, startPeer, type Peer } from '../../support/replication-peers.js';

let a: Peer;
let b: Peer;
const runners: JobRunner[] = [];
/** job id → the Strikers that ran it, in order. */
const runs = new Map<string, string[]>();

function catalogFor(striker: string) {
  return catalogOf([
    defineJobKind({
      kind: 'test.count',
      title: 'Counts its runs',
      payload: z.strictObject({ n: z.number().int() }),
      maxAttempts: 1,
      onStale: 'fail',
      async run(ctx) {
        runs.set(ctx.job.id, [...(runs.get(ctx.job.id) ?? []), striker]);
        await ctx.progress(50, 'Counted');
      },
    }),
  ]);
}

beforeAll(async () => {
  [a, b] = await Promise.all([startPeer('striker_a'), startPeer('striker_b')]);
  await joinMesh([a, b]);
});
afterAll(async () => {
  for (const r of runners) await r.stop(5000);
  await Promise.all([a?.remove(), b?.remove()]);
});

describe('job claims across replicated Strikers', () => {
  it('runs each of 1,000 jobs exactly once, on the Striker that owns it', async () => {
    for (const peer of [a, b]) {
      const runner = new JobRunner({
        db: peer.db,
        catalog: catalogFor(peer.name),
        logger: replicationLogger,
        host: 'shared-host',
        workers: 4,
        pollSeconds: 0.05,
        heartbeatSeconds: 1,
        staleAfterSeconds: 30,
      });
      runners.push(runner);
      await runner.start();
    }
    const enqueued = new Map<string, string>();
    for (let n = 0; n < 1000; n++) {
      const peer = n % 2 === 0 ? a : b;
      const job = await enqueueJob(peer.db, catalogFor(peer.name), { kind: 'test.count', payload: { n } });
      enqueued.set(job.id, peer.name);
    }
    const done = await converged(
      [a, b],
      async (db) => (await db.query<{ status: string; n: number }>("SELECT status, count(*)::int AS n FROM jobs WHERE kind = 'test.count' GROUP BY status ORDER BY status")).rows,
      120_000,
      (rows) => rows.length === 1 && rows[0]!.status === 'succeeded' && rows[0]!.n === 1000,
    );
    expect(done).toEqual([{ status: 'succeeded', n: 1000 }]);

    expect(runs.size).toBe(1000);
    const twice = [...runs].filter(([, by]) => by.length !== 1);
    expect(twice, 'jobs run more than once').toEqual([]);
    const elsewhere = [...runs].filter(([id, by]) => by[0] !== enqueued.get(id));
    expect(elsewhere, 'jobs run by a Striker that did not own them').toEqual([]);
    // Each Striker stamped its own jobs, and the stamp replicated unchanged.
    for (const peer of [a, b]) {
      const owners = (await peer.db.query<{ owner_node: string; n: number }>("SELECT owner_node, count(*)::int AS n FROM jobs WHERE kind = 'test.count' GROUP BY owner_node ORDER BY owner_node")).rows;
      expect(owners).toEqual([{ owner_node: 'striker_a', n: 500 }, { owner_node: 'striker_b', n: 500 }]);
    }
  }, 180_000);
});
