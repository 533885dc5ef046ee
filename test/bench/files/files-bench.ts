/**
 * File sync benchmark (`npm run bench:files` after `npm run build`; `FILES_BENCH_BYTES` sets the
 * size, 1 GiB by default; `FILES_BENCH_RUNS` the runs of each, 2 by default;
 * `FILES_BENCH_AGENT_FILES` the agent's `files:` settings to compare as JSON, one object or a list
 * of them, each measured with an agent started with it; by default curl and node:http:
 * '[{"fetchWith":"curl"},{"fetchWith":"node"}]'; a key "nodeFlags" (a list) is not a setting but
 * flags for the agent's node, e.g. ["--max-semi-space-size=64"]).
 *
 * One host in a network namespace (prefix fsb) linked to the bench's namespace by a veth pair;
 * `striker serve` (dist/) on the bench's end of the link with its own PostgreSQL, the real agent
 * (dist/striker/app/agent-main.js) in the namespace. The same file (a seeded AES-CTR stream) goes
 * over the same link two ways:
 *   - the agent's `file.fetch` (HTTP GET from the Striker, SHA-256 checked, synced, renamed):
 *     time from the job's claim to its end (the database's own timestamps), CPU of the agent with
 *     its children (curl) — also split: main thread, other threads, the hashing worker, children —
 *     and of `striker serve` (from /proc) over the run;
 *   - `rsync` from an rsync daemon on the bench's end of the link, serving the Striker's files
 *     directory (a new file: rsync sends it whole, with its own whole-file checksum): wall time,
 *     CPU of the client (`times` of its shell) and of the daemon (its reaped children, from /proc).
 * Prints each run, the best of each, and the ratio of throughputs (agent / rsync; goal ≥ 1.0×).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { issueToken } from '../../../kickstart/index.js';
import { PgTokenStore } from '../../../kickstart/token-store.js';
import { AgentLab, type LabHost } from '../../support/netns-agent-lab.js';
import { freePort, runStriker, spawnServe } from '../../support/striker-process.js';
import pino from 'pino';
import { openPool } from '../../../striker/db/database.js';
import { startEmbeddedPostgres } from '../../../striker/db/embedded-postgres.js';
import { migrate } from '../../../striker/db/migrate.js';
import { requirePeers } from '../require-peers.js';

const AGENT_MAIN = fileURLToPath(new URL('../../../dist/striker/app/agent-main.js', import.meta.url));
const SIZE = Number(process.env.FILES_BENCH_BYTES ?? 1024 ** 3);
const RUNS = Number(process.env.FILES_BENCH_RUNS ?? 2);
/** The agent configuration's `files:` sections to compare (FILES_BENCH_AGENT_FILES, JSON: one or a list). */
const AGENT_FILES = [JSON.parse(process.env.FILES_BENCH_AGENT_FILES ?? '[{"fetchWith":"curl"},{"fetchWith":"node"}]') as Record<string, unknown> | Record<string, unknown>[]].flat();
const HOST_FILES = '/run/striker-fsb-files';
const TICK = 100; // USER_HZ on Linux

function cpuMs(pid: number, children = false): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  // After the comm field: utime 12, stime 13, cutime 14, cstime 15 (0-based from state).
  const [u, s] = children ? [Number(fields[13]), Number(fields[14])] : [Number(fields[11]), Number(fields[12])];
  return ((u + s) * 1000) / TICK;
}

/** CPU (ms) of each thread of `pid` now, by thread id. */
function threadCpuMs(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      out.set(Number(tid), ((Number(fields[11]) + Number(fields[12])) * 1000) / TICK);
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/**
 * Where a process's CPU went between two looks: its main thread, its other threads that lived
 * through the run (libuv's thread pool: the part's writes and syncs; V8's), and threads that ended
 * within it (the agent's hashing worker, started and ended per transfer).
 */
function threadSplit(pid: number, before: Map<number, number>, after: Map<number, number>, totalMs: number): string {
  let main = 0;
  let others = 0;
  for (const [tid, ms] of after) {
    const d = ms - (before.get(tid) ?? 0);
    if (tid === pid) main += d;
    else others += d;
  }
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  return `main thread ${s(main)}, other live threads ${s(others)}, threads ended in the run (hashing worker) ${s(totalMs - main - others)}`;
}

function writeSeeded(path: string, size: number): string {
  const cipher = createCipheriv('aes-128-ctr', createHash('md5').update('files-bench').digest(), Buffer.alloc(16));
  const hash = createHash('sha256');
  const zero = Buffer.alloc(4 << 20);
  const fd = openSync(path, 'w');
  for (let done = 0; done < size; ) {
    const chunk = cipher.update(zero.subarray(0, Math.min(zero.length, size - done)));
    hash.update(chunk);
    writeSync(fd, chunk);
    done += chunk.length;
  }
  closeSync(fd);
  return hash.digest('hex');
}

interface Run { seconds: number; clientCpuMs: number; serverCpuMs: number }
const mbps = (r: Run) => SIZE / 1024 / 1024 / r.seconds;
const show = (what: string, r: Run) =>
  `${what}: ${r.seconds.toFixed(2)} s, ${mbps(r).toFixed(0)} MiB/s; CPU client ${(r.clientCpuMs / 1000).toFixed(2)} s, server ${(r.serverCpuMs / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  requirePeers('ip', 'curl', 'rsync');
  const lab = new AgentLab('fsb');
  const quiet = pino({ level: 'silent' });
  const pg = await startEmbeddedPostgres({ dataDir: join(lab.dir, 'pg'), port: 0, logger: quiet, database: 'striker' });
  const t = { url: pg.url, db: openPool(pg.url, { poolSize: 4, logger: quiet }) };
  await migrate(t.db, quiet);
  const children: ChildProcess[] = [];
  try {
    const host: LabHost = lab.host('h1', 93, '52:54:00:f5:b0:01');
    const port = await freePort();
    const dir = join(lab.dir, 'striker');
    mkdirSync(dir, { recursive: true });
    const config = join(dir, 'striker.yaml');
    writeFileSync(config, [
      `dataDir: ${join(dir, 'var')}`,
      `http: { host: ${host.gateway}, port: ${port} }`,
      `database: { urls: ['${t.url}'], replication: { enabled: false } }`,
      'jobs: { pollSeconds: 0.2 }',
      `files: { hostDirectory: ${HOST_FILES} }`,
      'log: { level: warn }',
      '',
    ].join('\n'));
    const env = { STRIKER_CONFIG: config };
    const serve = spawnServe(env);
    const url = await Promise.race([serve.ready, serve.exited.then(({ code }) => { throw new Error(`striker serve exited ${code}: ${serve.stderr()}`); })]);
    console.error(`striker serve at ${url}; writing and adding a ${SIZE}-byte file`);

    const source = join(lab.dir, 'bench.iso');
    const sha256 = writeSeeded(source, SIZE);
    const added = await runStriker(['files', 'add', source, '--kind', 'iso', '--json'], env, undefined, 600_000);
    if (added.code !== 0) throw new Error(added.stderr);
    const fileId = (JSON.parse(added.stdout) as { file: { id: string } }).file.id;
    rmSync(source);

    const agentDir = join(lab.dir, 'agent');
    const files = join(agentDir, 'files');
    mkdirSync(files, { recursive: true });
    await t.db.write(`INSERT INTO machines (mac, role, state) VALUES ($1, 'node', 'installing')`, [host.mac]);
    const token = await issueToken(new PgTokenStore(t.db), host.hostId, new Date(), 3600);
    const creds = join(agentDir, 'agent-credentials.json');
    const reg = lab.exec(host.ns, ['sh', '-c', `umask 077; curl -fsS -X POST -H 'Content-Type: application/json' --data '{"hostId":"${host.hostId}","token":"${token.token}"}' -o '${creds}' '${url}/ks/${host.hostId}/register'`]);
    if (reg.status !== 0) throw new Error(`registration failed: ${reg.stderr}`);

    /** Starts the agent with these `files:` settings; resolves once it said hello (a new instance). */
    const startAgent = async (variant: Record<string, unknown>): Promise<ChildProcess> => {
      const { nodeFlags = [], ...settings } = variant as { nodeFlags?: string[] };
      const before = (await t.db.query<{ instance_id: string }>(`SELECT instance_id FROM host_agents`)).rows[0]?.instance_id;
      writeFileSync(join(agentDir, 'agent.json'), JSON.stringify({ strikerUrls: [url], hostId: host.hostId, role: 'node', heartbeatSeconds: 5, inventorySeconds: 600, logLevel: 'warn', files: settings }));
      const agent = lab.spawn(host.ns, ['sh', '-c', `mkdir -p ${HOST_FILES} && mount --bind '${files}' ${HOST_FILES} && exec "$0" "$@"`, process.execPath, ...nodeFlags, AGENT_MAIN, '--config', join(agentDir, 'agent.json'), '--credentials', creds]);
      children.push(agent);
      let agentErr = '';
      agent.stderr!.on('data', (d: Buffer) => (agentErr += d.toString()));
      for (let waited = 0; ; waited += 200) {
        const now = (await t.db.query<{ instance_id: string }>(`SELECT instance_id FROM host_agents`)).rows[0]?.instance_id;
        if (now !== undefined && now !== before) break;
        if (agent.exitCode !== null || waited > 60_000) throw new Error(`the agent did not say hello: ${agentErr.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      console.error(`the agent is up with files: ${JSON.stringify(settings)}, node flags: ${nodeFlags.join(' ')}`);
      return agent;
    };

    // rsync daemon on the bench's end of the link, serving the Striker's files directory.
    const rsyncPort = await freePort();
    const rsyncConf = join(lab.dir, 'rsyncd.conf');
    writeFileSync(rsyncConf, `use chroot = no\n[files]\n  path = ${join(dir, 'var', 'files')}\n  read only = yes\n  uid = root\n  gid = root\n`);
    const daemon = spawn('rsync', ['--daemon', '--no-detach', `--address=${host.gateway}`, `--port=${rsyncPort}`, `--config=${rsyncConf}`], { stdio: 'ignore' });
    children.push(daemon);
    await new Promise((r) => setTimeout(r, 500));

    const agentRuns: Run[][] = AGENT_FILES.map(() => []);
    const rsyncRuns: Run[] = [];
    const rsyncSyncRuns: Run[] = [];
    /** One fetch of the file by `agent`, started with the settings `v`. */
    const agentFetch = async (agent: ChildProcess, v: number, i: number) => {
      rmSync(join(files, 'bench.iso'), { force: true });
      // The agent's CPU with its children's (curl, reaped by the end of the job).
      const both = () => cpuMs(agent.pid!) + cpuMs(agent.pid!, true);
      const [a0, c0, s0] = [both(), cpuMs(agent.pid!, true), cpuMs(serve.child.pid!)];
      const threads0 = threadCpuMs(agent.pid!);
      const pushed = await runStriker(['files', 'push', fileId, host.hostId, '--json'], env);
      if (pushed.code !== 0) throw new Error(pushed.stderr);
      const jobId = (JSON.parse(pushed.stdout) as { jobs: { jobId: string }[] }).jobs[0]!.jobId;
      let row: { status: string; seconds: number; last_error: string | null } | undefined;
      for (;;) {
        row = (await t.db.query<{ status: string; seconds: number; last_error: string | null }>(
          `SELECT status, extract(epoch FROM finished_at - started_at)::float8 AS seconds, last_error FROM jobs WHERE id = $1`, [jobId])).rows[0];
        if (row && ['succeeded', 'failed', 'cancelled'].includes(row.status)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      if (row.status !== 'succeeded') throw new Error(`the fetch ${row.status}: ${row.last_error}`);
      const childMs = cpuMs(agent.pid!, true) - c0;
      const run = { seconds: row.seconds, clientCpuMs: both() - a0, serverCpuMs: cpuMs(serve.child.pid!) - s0 };
      agentRuns[v]!.push(run);
      console.log(show(`agent ${JSON.stringify(AGENT_FILES[v])} run ${i + 1}`, run));
      console.log(`  agent CPU: ${threadSplit(agent.pid!, threads0, threadCpuMs(agent.pid!), run.clientCpuMs - childMs)}, children (curl) ${(childMs / 1000).toFixed(2)} s`);
      // Where the job's time went: from the claim to the host's first report, to its report that
      // the file is ready (received, checked, synced, renamed), to the job's end.
      const steps = (await t.db.query<{ fetching: number | null; ready: number | null; ended: number }>(
        `SELECT extract(epoch FROM (SELECT min(h.history_at) FROM history.file_hosts h WHERE h.job_id = j.id AND h.state = 'fetching') - j.started_at)::float8 AS fetching,
                extract(epoch FROM (SELECT min(h.history_at) FROM history.file_hosts h WHERE h.job_id = j.id AND h.state = 'ready') - j.started_at)::float8 AS ready,
                extract(epoch FROM j.finished_at - j.started_at)::float8 AS ended
           FROM jobs j WHERE j.id = $1`, [jobId])).rows[0]!;
      console.log(`  claimed → fetching ${steps.fetching?.toFixed(2)} s → ready ${steps.ready?.toFixed(2)} s → job ended ${steps.ended.toFixed(2)} s`);
    };
    for (let i = 0; i < RUNS; i++) {
      // Each setting in turn, by an agent started with it (one agent of the host at a time).
      for (let v = 0; v < AGENT_FILES.length; v++) {
        const agent = await startAgent(AGENT_FILES[v]!);
        await agentFetch(agent, v, i);
        const exited = new Promise((r) => agent.once('exit', r));
        agent.kill('SIGTERM');
        await exited;
      }

      // rsync over the same link, into the same directory: as it comes, and with --fsync (the
      // agent syncs the file before it renames it into place and reports it ready).
      for (const [runs, flags, what] of [[rsyncRuns, '', 'rsync'], [rsyncSyncRuns, '--fsync', 'rsync --fsync']] as const) {
        rmSync(join(files, 'rsync.iso'), { force: true });
        const d0 = cpuMs(daemon.pid!, true);
        const started = process.hrtime.bigint();
        const r = lab.exec(host.ns, ['sh', '-c', `rsync ${flags} rsync://${host.gateway}:${rsyncPort}/files/${fileId}/bench.iso '${join(files, 'rsync.iso')}' && times`], 600_000);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        if (r.status !== 0) throw new Error(`rsync failed: ${r.stderr}`);
        const m = /\n(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(r.stdout.trim().replace(/^/, '\n'));
        const clientCpuMs = m ? (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1000 : NaN;
        runs.push({ seconds, clientCpuMs, serverCpuMs: cpuMs(daemon.pid!, true) - d0 });
        console.log(show(`${what.padEnd(13)} run ${i + 1}`, runs.at(-1)!));
      }
    }
    const best = (runs: Run[]) => runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const [rb, rsb] = [best(rsyncRuns), best(rsyncSyncRuns)];
    const same = spawnSync('cmp', [join(files, 'bench.iso'), join(files, 'rsync.iso')]).status === 0;
    console.log(`\nfile: ${SIZE} bytes, SHA-256 ${sha256}; both copies identical: ${same}; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
    console.log(show('rsync         (best)', rb));
    console.log(show('rsync --fsync (best)', rsb));
    for (const [v, settings] of AGENT_FILES.entries()) {
      const ab = best(agentRuns[v]!);
      console.log(show(`agent ${JSON.stringify(settings)} (best)`, ab));
      console.log(`  throughput ratio agent / rsync: ${(mbps(ab) / mbps(rb)).toFixed(2)}× (goal ≥ 1.0×); agent / rsync --fsync: ${(mbps(ab) / mbps(rsb)).toFixed(2)}×`);
    }
    serve.child.kill('SIGTERM');
    await serve.exited;
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await t.db.close();
    await pg.stop();
    await lab.destroy();
  }
}

// The bench is a script: it ends once main has printed and cleaned up, even when a library
// (the embedded PostgreSQL's process handling, a pool) leaves a handle open behind it.
await main().then(() => process.exit(0), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
