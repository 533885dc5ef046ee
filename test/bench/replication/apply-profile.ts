/**
 * Where apply time goes (run by hand: `node --import tsx test/bench/replication/apply-profile.ts`).
 * Two embedded Strikers replicating both ways; B stopped, PROFILE_ROWS single-row inserts into
 * `jobs` on A (8 connections), B started with track_functions = all: time until B holds every row,
 * and B's pg_stat_user_functions (calls, self and total time of each trigger function). Run once
 * with every trigger, then the same with B's subscription transferring text (binary = false,
 * streaming = off), then with history, live channel and job feed as three separate AFTER
 * triggers, then with jobs' one AFTER trigger (history, live channel and job feed,
 * migration 0038) disabled on B, then with its conflict-rule trigger disabled too (the apply
 * worker's own cost per row and transaction), so each trigger's share of the apply time shows. (Each run's time
 * includes the apply worker's start; compare runs made under the same load.) Also printed: the CPU
 * time B's apply worker spent (from /proc), which other work on the machine inflates far less
 * than the wall time.
 * PROFILE_COMPARE=n first runs n rounds alternating B set up as before (text transfer, streaming
 * off, history, live channel and job feed as three AFTER triggers) and as now, and prints the
 * median CPU per row of each: a before/after measured under the same load.
 */
import { loadavg } from 'node:os';
import { startPeer, joinMesh, waitUntil, type Peer } from '../../support/replication-peers.js';
import { subscriptionName } from '../../../striker/db/replication/names.js';
import { applyWorkerPid, cpuMs } from './process-cpu.js';

const ROWS = Number(process.env.PROFILE_ROWS ?? 10_000);
/** PROFILE_COMPARE=n: first n rounds of B set up as before the transfer options and migration 0038, then as now, alternated. */
const COMPARE_ROUNDS = Number(process.env.PROFILE_COMPARE ?? 0);

let run = 0;
async function catchUp(a: Peer, b: Peer, label: string): Promise<number> {
  // A kind of its own per run: nothing but this run's inserts is applied while it is measured.
  run += 1;
  const kind = `bench.profile${run}`;
  await b.stop();
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < ROWS) {
      next += 1;
      await a.db.query("INSERT INTO jobs (kind, payload) VALUES ($1, '{}')", [kind]);
    }
  }));
  await b.start();
  await b.db.query('SELECT pg_stat_reset()');
  const t0 = performance.now();
  let applyPid = 0;
  await waitUntil(async () => {
    applyPid ||= await applyWorkerPid(b.db);
    return (await b.db.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs WHERE kind = $1', [kind])).rows[0]!.n >= ROWS;
  }, 600_000, 'B to catch up');
  const applyCpu = cpuMs(applyPid);
  const seconds = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 600)); // stats are flushed by each backend at most every 500 ms
  const { rows } = await b.db.query<{ funcname: string; calls: number; total: number; self: number }>(
    'SELECT funcname, calls::int, round(total_time)::int AS total, round(self_time)::int AS self FROM pg_stat_user_functions ORDER BY total_time DESC LIMIT 8');
  console.log(`${label}: ${ROWS} rows applied in ${seconds.toFixed(2)} s (${(ROWS / seconds).toFixed(0)} rows/s); apply worker CPU ${(applyCpu * 1000 / ROWS).toFixed(0)} µs per row`);
  for (const r of rows) console.log(`  ${r.funcname.padEnd(32)} calls ${String(r.calls).padStart(7)}  total ${String(r.total).padStart(6)} ms  self ${String(r.self).padStart(6)} ms`);
  return (applyCpu * 1000) / ROWS;
}

/** B as before migration 0038 and the transfer options: text transfer, no streaming, three AFTER triggers. */
async function setBefore(a: Peer, b: Peer): Promise<void> {
  await b.db.query(`ALTER SUBSCRIPTION ${subscriptionName(a.name)} SET (binary = false, streaming = off)`);
  await b.db.query("CREATE OR REPLACE TRIGGER jobs_history AFTER INSERT OR UPDATE OR DELETE ON jobs FOR EACH ROW EXECUTE FUNCTION striker_history_jobs('{heartbeat_at}')");
  await b.db.query("SELECT striker_history_function('jobs')");
  await b.db.query("CREATE TRIGGER jobs_live AFTER INSERT OR DELETE OR UPDATE OF status ON jobs FOR EACH ROW EXECUTE FUNCTION striker_live_trigger('jobs', 'id')");
  await b.db.query('CREATE TRIGGER jobs_notify AFTER INSERT OR UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION jobs_notify()');
  for (const t of ['jobs_history', 'jobs_live', 'jobs_notify']) await b.db.query(`ALTER TABLE jobs ENABLE ALWAYS TRIGGER ${t}`);
}

/** B as a Striker sets it up now. */
async function setAfter(a: Peer, b: Peer): Promise<void> {
  await b.db.query(`ALTER SUBSCRIPTION ${subscriptionName(a.name)} SET (binary = true, streaming = parallel)`);
  await b.db.query("SELECT striker_merge_row_triggers('jobs')");
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

const [a, b] = await Promise.all([startPeer('prof_a'), startPeer('prof_b')]);
try {
  await joinMesh([a, b]);
  // The first run measures the apply worker only once B's initial copy is done (until then a
  // table-sync worker applies changes to the tables it copies).
  for (const p of [a, b]) await waitUntil(async () => (await p.db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_subscription_rel WHERE srsubstate <> 'r'")).rows[0]!.n === 0, 120_000, 'the initial copy');
  await b.db.query("ALTER SYSTEM SET track_functions = 'all'");
  await b.db.query('SELECT pg_reload_conf()');
  if (COMPARE_ROUNDS > 0) {
    // Before and after, alternated, so that both meet the same load on the machine.
    const before: number[] = [];
    const after: number[] = [];
    for (let i = 0; i < COMPARE_ROUNDS; i++) {
      await setBefore(a, b);
      before.push(await catchUp(a, b, `round ${i + 1} before (text, streaming off, three AFTER triggers)`));
      await setAfter(a, b);
      after.push(await catchUp(a, b, `round ${i + 1} after (binary, streaming parallel, one AFTER trigger)`));
    }
    console.log(`apply worker CPU per row, median of ${COMPARE_ROUNDS}: before ${median(before).toFixed(0)} µs, after ${median(after).toFixed(0)} µs (each: ${before.map((x) => x.toFixed(0)).join(' ')} / ${after.map((x) => x.toFixed(0)).join(' ')}); load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  }
  await catchUp(a, b, 'all triggers (binary transfer, streaming = parallel: as Strikers subscribe)');
  // The same with the subscription's values in text and large transactions not streamed.
  await b.db.query(`ALTER SUBSCRIPTION ${subscriptionName(a.name)} SET (binary = false, streaming = off)`);
  await catchUp(a, b, 'all triggers (text transfer, streaming = off)');
  await b.db.query(`ALTER SUBSCRIPTION ${subscriptionName(a.name)} SET (binary = true, streaming = parallel)`);
  // The history, live-channel and job-feed triggers as three separate ENABLE ALWAYS AFTER
  // triggers again (as they were before migration 0038 folded them into one), then folded back.
  await setBefore(a, b);
  await b.db.query(`ALTER SUBSCRIPTION ${subscriptionName(a.name)} SET (binary = true, streaming = parallel)`);
  await catchUp(a, b, 'all triggers, history, live and feed as three AFTER triggers');
  await b.db.query("SELECT striker_merge_row_triggers('jobs')");
  await b.db.query('ALTER TABLE jobs DISABLE TRIGGER jobs_history');
  await catchUp(a, b, 'without the AFTER trigger (history, live channel, job feed)');
  await b.db.query('ALTER TABLE jobs DISABLE TRIGGER jobs_replication');
  await catchUp(a, b, 'without any trigger (the apply worker alone)');
} finally {
  await Promise.all([a, b].map((p) => p.remove()));
}
