/**
 * Agent benchmark (run by hand after `npm run build`:
 * `npx tsx test/bench/agent/agent-bench.ts [jobs=1000] [agents=200]`).
 *
 * One `striker serve` process (dist/) on its own embedded PostgreSQL, on loopback.
 *  1. Latency, enqueue → the agent starts the job: one agent (the real AgentRuntime, in this
 *     process, over HTTP) and `jobs` host.inventory jobs enqueued one at a time; measured in
 *     this process (enqueue call → the agent's "job started") and from the database's own timestamps
 *     (created_at → started_at, the claim). The peer measured in the same run: Striker's own
 *     runner, `jobs/5` maintenance.purge jobs, created_at → started_at. Goal p95 ≤ 100 ms.
 *     Measured twice, each on a serve of its own: with `agents.credentialCacheSeconds: 0` (a woken
 *     claim asks the database whether its credential holds) and with the default (the check is
 *     cached, revocations arrive by NOTIFY).
 *  2. `agents` simulated agents (AgentRuntime each, heartbeat every 10 s, a held claim each)
 *     connected to the one serve: serve's resident memory and CPU time idle for a window with
 *     none connected, then with all connected; then one job per host enqueued at once, time until
 *     every one started. Goal under 100 MB extra resident.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { systemActor } from '../../../striker/audit/audit-store.js';
import { enqueueHostJob, issueCredentialAtRegistration } from '../../../striker/agent/index.js';
import { agentConfigSchema } from '../../../striker/agent/agent-config.js';
import { AgentRuntime } from '../../../striker/agent/agent-runtime.js';
import type { Inventory } from '../../../striker/agent/inventory-schema.js';
import type { CommandRunner } from '../../../striker/core/command/run-command.js';
import { openPool } from '../../../striker/db/database.js';
import { startEmbeddedPostgres } from '../../../striker/db/embedded-postgres.js';
import { migrate } from '../../../striker/db/migrate.js';
import { insertJob } from '../../../striker/jobs/job-store.js';
import { freePort, spawnServe } from '../../support/striker-process.js';

const jobs = Number(process.argv[2] ?? 1000);
const agents = Number(process.argv[3] ?? 200);
const windowMs = 20_000;
const quiet = pino({ level: 'silent' });
const inventory: Inventory = { systemUuid: null, hostName: 'bench', cpu: { model: 'x', count: 1 }, memoryBytes: 1, disks: [], nics: [] };
const run: CommandRunner = async (argv) => ({ argv, exitCode: 0, stdout: '', stderr: '', durationMs: 0 });

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
const fmt = (v: number[]) => `p50 ${pct(v, 50).toFixed(1)} ms, p95 ${pct(v, 95).toFixed(1)} ms, max ${Math.max(...v).toFixed(1)} ms (n=${v.length})`;

/** Resident set (bytes) and CPU time (ms) of a process, from /proc. */
function usage(pid: number): { rss: number; cpuMs: number } {
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rss, cpuMs: (ticks * 1000) / 100 };
}

const dir = mkdtempSync(join(tmpdir(), 'ag-bench-'));
const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: 0, logger: quiet, database: 'striker' });
const db = openPool(pg.url, { poolSize: 10, logger: quiet });
await migrate(db, quiet);

/** A `striker serve` on loopback with `agents.credentialCacheSeconds` set. */
async function startServe(credentialCacheSeconds: number) {
  const port = await freePort();
  const configDir = await mkdtemp(join(dir, 'serve-'));
  await writeFile(join(configDir, 'striker.yaml'), `dataDir: ${join(configDir, 'var')}\nhttp: { host: 127.0.0.1, port: ${port} }\ndatabase: { urls: ['${pg.url}'], poolSize: 20 }\nlog: { level: warn }\njobs: { purgeEveryHours: 0 }\nagents: { credentialCacheSeconds: ${credentialCacheSeconds} }\n`);
  const serve = spawnServe({ STRIKER_CONFIG: join(configDir, 'striker.yaml') });
  return { serve, url: await serve.ready, pid: serve.child.pid! };
}

const serves: Awaited<ReturnType<typeof startServe>>[] = [];
let url = '';
const runtimes: AgentRuntime[] = [];

/**
 * The agent's own "job started" log line is the moment it starts a job (after the claim answer,
 * before the job's first report): a logger whose destination watches for it.
 */
function watchingLogger(onStarted: () => void) {
  return pino({ level: 'info' }, { write: (line: string) => void (line.includes('"msg":"job started"') && onStarted()) });
}

async function startRuntime(hostId: string, onStarted?: () => void): Promise<AgentRuntime> {
  const credentials = await db.tx((tx) => issueCredentialAtRegistration(tx, hostId, '127.0.0.1'));
  const config = agentConfigSchema.parse({ strikerUrls: [url], hostId, heartbeatSeconds: 10, inventorySeconds: 3600, workers: 1, logLevel: 'silent' });
  const logger = onStarted === undefined ? quiet : watchingLogger(onStarted);
  const r = new AgentRuntime({ config, credentials, version: 'bench', logger, run, collectInventory: async () => inventory });
  await r.start();
  runtimes.push(r);
  return r;
}

/** Part 1 on the current serve: one agent, `jobs` jobs one at a time, and the runner's peer jobs. */
async function latency(hostId: string, label: string): Promise<void> {
  let started: (() => void) | undefined;
  const one = await startRuntime(hostId, () => started?.());
  const inProcess: number[] = [];
  const ids: string[] = [];
  for (let i = 0; i < jobs + 20; i++) {
    const done = one.state().counts.succeeded;
    const t0 = performance.now();
    const startedAt = new Promise<number>((r) => (started = () => r(performance.now())));
    const job = await enqueueHostJob(db, systemActor, { hostId, kind: 'host.inventory', payload: {} });
    const t1 = await startedAt;
    if (i >= 20) {
      inProcess.push(t1 - t0);
      ids.push(job.id);
    }
    while (one.state().counts.succeeded === done) await new Promise((r) => setImmediate(r));
  }
  const dbLatency = (await db.query<{ ms: number }>(`SELECT extract(epoch FROM started_at - created_at) * 1000 AS ms FROM jobs WHERE id = ANY($1)`, [ids])).rows.map((r) => Number(r.ms));
  const peerIds: string[] = [];
  for (let i = 0; i < Math.max(20, Math.floor(jobs / 5)); i++) {
    const job = await insertJob(db, { kind: 'maintenance.purge', payload: { keepDays: 3650 }, maxAttempts: 1, retryOnStale: false });
    peerIds.push(job.id);
    for (;;) {
      const { rows } = await db.query<{ status: string }>(`SELECT status FROM jobs WHERE id = $1`, [job.id]);
      if (rows[0]!.status === 'succeeded' || rows[0]!.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 2));
    }
  }
  const peer = (await db.query<{ ms: number }>(`SELECT extract(epoch FROM started_at - created_at) * 1000 AS ms FROM jobs WHERE id = ANY($1)`, [peerIds])).rows.map((r) => Number(r.ms));
  process.stdout.write(`[${label}]\n`);
  process.stdout.write(`  enqueue → agent starts the job (in this process): ${fmt(inProcess)}\n`);
  process.stdout.write(`  enqueue → claimed (database timestamps), agent: ${fmt(dbLatency)}\n`);
  process.stdout.write(`  enqueue → claimed (database timestamps), Striker's own runner (peer): ${fmt(peer)}\n`);
  process.stdout.write(`  ratio p95 agent / Striker runner: ${(pct(dbLatency, 95) / pct(peer, 95)).toFixed(2)}\n`);
  for (const r of runtimes.splice(0)) await r.stop(1000);
}

try {
  // 1. Latency with one agent, the credential checked at every wake, then cached.
  for (const [i, cache] of [0, 5].entries()) {
    for (const s of serves.splice(0)) {
      s.serve.child.kill('SIGTERM');
      await s.serve.exited;
    }
    const s = await startServe(cache);
    serves.push(s);
    url = s.url;
    await latency(`52-54-00-be-00-0${i + 1}`, `agents.credentialCacheSeconds: ${cache}`);
  }
  const servePid = serves[0]!.pid;

  // 2. Many agents on one serve.
  await new Promise((r) => setTimeout(r, 3000));
  const idle0 = usage(servePid);
  await new Promise((r) => setTimeout(r, windowMs));
  const idle1 = usage(servePid);
  for (let i = 0; i < agents; i++) await startRuntime(`52-54-00-bf-${(i >> 8).toString(16).padStart(2, '0')}-${(i & 255).toString(16).padStart(2, '0')}`);
  await new Promise((r) => setTimeout(r, 3000));
  const busy0 = usage(servePid);
  await new Promise((r) => setTimeout(r, windowMs));
  const busy1 = usage(servePid);
  const t0 = Date.now();
  const fanout = await Promise.all(runtimes.map((_, i) => enqueueHostJob(db, systemActor, { hostId: `52-54-00-bf-${(i >> 8).toString(16).padStart(2, '0')}-${(i & 255).toString(16).padStart(2, '0')}`, kind: 'host.inventory', payload: {} })));
  for (;;) {
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE id = ANY($1) AND started_at IS NOT NULL`, [fanout.map((j) => j.id)]);
    if (rows[0]!.n === fanout.length) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const fanoutMs = Date.now() - t0;
  const fanoutLatency = (await db.query<{ ms: number }>(`SELECT extract(epoch FROM started_at - created_at) * 1000 AS ms FROM jobs WHERE id = ANY($1)`, [fanout.map((j) => j.id)])).rows.map((r) => Number(r.ms));
  const mb = (b: number) => (b / 2 ** 20).toFixed(1);
  process.stdout.write(`serve resident: ${mb(idle1.rss)} MiB with no agent, ${mb(busy1.rss)} MiB with ${agents} agents: +${mb(busy1.rss - idle1.rss)} MiB\n`);
  process.stdout.write(`serve CPU over ${windowMs / 1000} s: ${(idle1.cpuMs - idle0.cpuMs).toFixed(0)} ms with no agent, ${(busy1.cpuMs - busy0.cpuMs).toFixed(0)} ms with ${agents} agents (${(((busy1.cpuMs - busy0.cpuMs) / windowMs) * 100).toFixed(1)}% of one core)\n`);
  process.stdout.write(`one job per host for ${agents} hosts at once: all started within ${fanoutMs} ms; enqueue → claimed ${fmt(fanoutLatency)}\n`);
} finally {
  for (const r of runtimes) await r.stop(1000).catch(() => undefined);
  for (const s of serves) {
    s.serve.child.kill('SIGTERM');
    await s.serve.exited;
  }
  await db.close();
  await pg.stop();
  rmSync(dir, { recursive: true, force: true });
}
