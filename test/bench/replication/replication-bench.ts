/**
 * Replication benchmark (run by hand: `node --import tsx test/bench/replication/replication-bench.ts`).
 * Two real embedded PostgreSQL instances replicating both ways as Strikers do (test/support/replication-peers.ts).
 *
 * 0. Seeding: the mesh is joined (B copies A's tables) and the lag is measured once B's initial
 *    copy is done (`tablesCopying` 0 in the replication status); the time it took is printed.
 * 1. Lag at a steady write rate: single-row inserts into `jobs` on A, issued at RATE per second
 *    for SECONDS. Each row's lag is from A acknowledging its commit to B announcing the row
 *    (jobs_notify, which a Striker's replication start makes fire for applied rows too); a
 *    row B announces before A's acknowledgement reaches the client counts as 0. Also printed: the
 *    same from the moment the INSERT was issued (includes waiting for A), and the rate A reached.
 * 2. Catch-up: B stopped, CATCHUP row inserts on A (8 connections, one row per transaction),
 *    B started: time until B holds every row (B holds the row A committed after them; then B's
 *    count of them is checked), from B's PostgreSQL accepting connections again,
 *    and the CPU time B's apply worker spent per row. Then the same with BATCH rows per
 *    transaction (a writer that batches: the apply worker's cost per transaction is shared).
 * The peer is PostgreSQL's own replication; the figures are its lag with Striker's conflict rules
 * and history triggers in the path, on this machine, in this run.
 */
import pg from 'pg';
import { loadavg } from 'node:os';
import { openPool } from '../../../striker/db/database.js';
import { replicationStatus } from '../../../striker/db/replication/index.js';
import { subscriptionName } from '../../../striker/db/replication/names.js';
import { applyWorkerPid, cpuMs, walSenderPid } from './process-cpu.js';
import { joinMesh, replicationLogger, startPeer, waitUntil, type Peer } from '../../support/replication-peers.js';

const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CATCHUP = Number(process.env.BENCH_CATCHUP ?? 100_000);
/** Rows per transaction of the second catch-up (the first writes one transaction per row; 1: no second). */
const BATCH = Number(process.env.BENCH_BATCH ?? 100);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function lag(a: Peer, b: Peer): Promise<void> {
  const listener = new pg.Client({ connectionString: b.url });
  await listener.connect();
  const seen = new Map<string, number>();
  listener.on('notification', (msg) => {
    const id = (JSON.parse(msg.payload!) as { id: string }).id;
    if (!seen.has(id)) seen.set(id, performance.now());
  });
  await listener.query('LISTEN striker_jobs');
  // Enough connections that a commit's fsync does not hold up the next write (commits group).
  const writer = openPool(a.url, { poolSize: 32, logger: replicationLogger });
  const sent = new Map<string, { issued: number; acked: number }>();
  const total = RATE * SECONDS;
  const started = performance.now();
  let issued = 0;
  const inflight = new Set<Promise<void>>();
  while (issued < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE));
    // At most as many writes in flight as the pool has connections: a Striker that cannot commit
    // RATE per second falls behind the schedule (the rate reached is printed) instead of queueing.
    while (issued < due && inflight.size < 32) {
      issued += 1;
      const t0 = performance.now();
      const p = writer.query<{ id: string }>("INSERT INTO jobs (kind, payload) VALUES ('bench.lag', '{}') RETURNING id").then((r) => {
        sent.set(r.rows[0]!.id, { issued: t0, acked: performance.now() });
      });
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inflight);
  await writer.close();
  const elapsed = (performance.now() - started) / 1000;
  await waitUntil(() => [...sent.keys()].every((id) => seen.has(id)), 60_000, 'every row to reach B');
  await listener.end();
  const fromCommit = [...sent].map(([id, t]) => Math.max(0, seen.get(id)! - t.acked)).sort((x, y) => x - y);
  const fromIssue = [...sent].map(([id, t]) => seen.get(id)! - t.issued).sort((x, y) => x - y);
  // Where the tail is: the largest lag among the rows issued in each second of the run.
  const perSecond = new Map<number, number>();
  for (const [id, t] of sent) {
    const s = Math.floor((t.issued - started) / 1000);
    perSecond.set(s, Math.max(perSecond.get(s) ?? 0, seen.get(id)! - t.acked));
  }
  const show = (l: number[]) => `p50 ${percentile(l, 50).toFixed(2)} ms  p99 ${percentile(l, 99).toFixed(2)} ms  max ${l[l.length - 1]!.toFixed(2)} ms`;
  console.log(`lag A→B, ${RATE} writes/s issued (A committed ${(total / elapsed).toFixed(0)}/s; ${total} rows in ${elapsed.toFixed(1)} s):`);
  console.log(`  commit on A → visible on B: ${show(fromCommit)}`);
  console.log(`  issued on A → visible on B: ${show(fromIssue)}`);
  console.log(`  largest lag per second of the run: ${[...perSecond].sort((x, y) => x[0] - y[0]).map(([, v]) => v.toFixed(0)).join(' ')} ms`);
}

async function catchUp(a: Peer, b: Peer, batch: number): Promise<void> {
  const kind = `bench.catchup${batch}`;
  await b.stop();
  const writeStart = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < CATCHUP) {
      const n = Math.min(batch, CATCHUP - next);
      next += n;
      await a.db.query('INSERT INTO jobs (kind, payload) SELECT $1, \'{}\' FROM generate_series(1, $2)', [kind, n]);
    }
  }));
  // Written last, so committed after every row above: B's apply worker applies A's transactions
  // in commit order, so B holds every row once it holds this one (a primary-key lookup; counting
  // the rows on every poll would take CPU from B's apply worker on this machine's few cores).
  const last = (await a.db.query<{ id: string }>('INSERT INTO jobs (kind, payload) VALUES ($1, \'{}\') RETURNING id', [`${kind}-last`])).rows[0]!.id;
  const writeSeconds = (performance.now() - writeStart) / 1000;
  const startCall = performance.now();
  await b.start();
  const accepting = performance.now();
  let applyPid = 0;
  let senderPid = 0;
  let senderCpuAtStart = 0;
  await waitUntil(async () => {
    applyPid ||= await applyWorkerPid(b.db);
    if (!senderPid) {
      senderPid = await walSenderPid(a.db, subscriptionName(a.name));
      senderCpuAtStart = senderPid ? cpuMs(senderPid) : 0;
    }
    return (await b.db.query('SELECT 1 FROM jobs WHERE id = $1', [last])).rows.length === 1;
  }, 600_000, 'B to catch up');
  const done = performance.now();
  const held = (await b.db.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs WHERE kind = $1', [kind])).rows[0]!.n;
  if (held !== CATCHUP) throw new Error(`B holds ${held} of the ${CATCHUP} rows written on A although it holds the row written after them`);
  const cpu = cpuMs(applyPid);
  const senderCpu = cpuMs(senderPid) - senderCpuAtStart;
  console.log(`catch-up after ${CATCHUP} rows written on A (${batch} per transaction) while B was stopped (written in ${writeSeconds.toFixed(1)} s):`);
  console.log(`  ${((done - accepting) / 1000).toFixed(2)} s from B accepting connections (${((done - startCall) / 1000).toFixed(2)} s including B's start)`);
  console.log(`  CPU per row: B's apply worker ${(cpu * 1000 / CATCHUP).toFixed(0)} µs, A's walsender (decoding and sending) ${(senderCpu * 1000 / CATCHUP).toFixed(0)} µs; ${(cpu / 1000).toFixed(1)} s of apply CPU in ${((done - accepting) / 1000).toFixed(1)} s`);
}

console.log(`load average at start: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const peers = await Promise.all([startPeer('bench_a'), startPeer('bench_b')]);
try {
  const joined = performance.now();
  await joinMesh(peers);
  // Lag is measured on the stream: B's seeding copy of A's tables is finished first. While a table
  // is being copied, changes to it wait for its table-sync worker and lag for seconds.
  for (const p of peers) {
    await waitUntil(async () => (await replicationStatus(p.db)).subscriptions.every((s) => s.tablesCopying === 0), 120_000, 'the initial copy');
  }
  console.log(`initial copy (seeding B from A) done ${((performance.now() - joined) / 1000).toFixed(2)} s after the mesh was joined`);
  await lag(peers[0], peers[1]);
  await catchUp(peers[0], peers[1], 1);
  if (BATCH > 1) await catchUp(peers[0], peers[1], BATCH);
  console.log(`load average at end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
} finally {
  await Promise.all(peers.map((p) => p.remove()));
}
