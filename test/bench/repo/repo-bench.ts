/**
 * Benchmark (run by hand: `node --import tsx test/bench/repo/repo-bench.ts`), printing ratio tables:
 *
 * 1. Sync: 2,000 generated RPMs on an nginx upstream (its own process, loopback). First sync and an
 *    incremental sync after 50 changes (50 packages replaced by new versions):
 *    Striker `syncRepo` vs `dnf reposync --download-metadata` (+ `--delete` when incremental) followed
 *    by `createrepo_c` (+ `--update` when incremental), measured in the same run. Goal ≥ 2×.
 * 2. Serving: `wrk -t1 -c16 -d8s` against Striker's /repos route (fastify + registerRepoRoutes with
 *    its front door, as `striker serve` builds it) and
 *    against nginx on the same directory, for a 1 KiB and a 10 MiB file. Goal ≥ 0.8× nginx. Then the
 *    server CPU per GB sent of the 10 MiB file: Striker with sendfile(2), Striker's stream path
 *    (`sendfile: false`) and nginx. `… repo-bench.ts serve` runs only this part.
 *
 * RPMs are built once and cached under /tmp/striker-bench-repo (delete it to rebuild).
 *
 * Where the syncs write: BENCH_WORK (default /tmp/striker-bench-repo/run, on disk). Both tools create
 * the same 2,000 files, and on ext4 the cost of creating a file swings tenfold with the filesystem's
 * state (inode allocation scans past recently freed inodes, `recently_deleted()`), from one run to the
 * next. `BENCH_WORK=/dev/shm/striker-bench-run` measures the tools without that noise; report both.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Fastify from 'fastify';
import pino from 'pino';
import { FrontDoor } from '../../../striker/http/front-door.js';
import { runCommand } from '../../../striker/core/command/run-command.js';
import { repoConfigSchema } from '../../../repo-sync/config.js';
import { repoPaths } from '../../../repo-sync/repo-paths.js';
import { registerRepoRoutes } from '../../../repo-sync/content-routes.js';
import { syncRepo } from '../../../repo-sync/sync-repo.js';
import { buildManyRpms } from '../../support/rpm-build.js';
import { requirePeers } from '../require-peers.js';

const root = '/tmp/striker-bench-repo';
const count = Number(process.env['BENCH_PACKAGES'] ?? 2000);
const changes = 50;
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);

async function cachedRpms(): Promise<{ v1: string; v2: string }> {
  const v1 = join(root, `rpms-v1-${count}`);
  const v2 = join(root, `rpms-v2-${changes}`);
  if (!existsSync(join(v1, '.done'))) {
    console.log(`building ${count} RPMs once (cached in ${v1})…`);
    const chunk = Math.ceil(count / 4);
    const chunks = Array.from({ length: 4 }, (_, i) => ({ first: i * chunk, n: Math.min(chunk, count - i * chunk) })).filter((c) => c.n > 0);
    for (let i = 0; i < chunks.length; i += 2) {
      await Promise.all(chunks.slice(i, i + 2).map((c) => buildManyRpms(join(root, `build-v1-${c.first}`), 'bench', c.n, '1.0', 2048, c.first)));
    }
    await mkdir(v1, { recursive: true });
    for (const c of chunks) await cp(join(root, `build-v1-${c.first}`, 'rpmbuild', 'RPMS', 'noarch'), v1, { recursive: true });
    await writeFile(join(v1, '.done'), '');
  }
  if (!existsSync(join(v2, '.done'))) {
    await buildManyRpms(join(root, 'build-v2'), 'bench', changes, '2.0', 2048, 0);
    await mkdir(v2, { recursive: true });
    await cp(join(root, 'build-v2', 'rpmbuild', 'RPMS', 'noarch'), v2, { recursive: true });
    await writeFile(join(v2, '.done'), '');
  }
  return { v1, v2 };
}

async function startNginx(dir: string, docroot: string, port: number): Promise<ChildProcess> {
  await mkdir(join(dir, 'logs'), { recursive: true });
  const conf = join(dir, 'nginx.conf');
  await writeFile(conf, `daemon off;
worker_processes 1;
error_log ${dir}/logs/error.log;
pid ${dir}/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on; tcp_nopush on; keepalive_requests 100000;
  types { application/x-rpm rpm; application/xml xml; }
  default_type application/octet-stream;
  client_body_temp_path ${dir}/tmp; proxy_temp_path ${dir}/tmp; fastcgi_temp_path ${dir}/tmp; uwsgi_temp_path ${dir}/tmp; scgi_temp_path ${dir}/tmp;
  server { listen 127.0.0.1:${port}; root ${docroot}; }
}
`);
  const child = spawn('nginx', ['-p', dir, '-c', conf], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return child;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function syncBench(v1: string, v2: string): Promise<string[]> {
  const workRoot = process.env['BENCH_WORK'] ?? join(root, 'run');
  await rm(workRoot, { recursive: true, force: true });
  const port = 18000 + Math.floor(Math.random() * 2000);
  const url = `http://127.0.0.1:${port}/`;
  const rows: { first: number[]; incr: number[]; dnfFirst: number[]; dnfIncr: number[] } = { first: [], incr: [], dnfFirst: [], dnfIncr: [] };
  const logger = pino({ level: 'silent' });
  const phases: string[] = [];
  let phaseAt = 0;
  let lastPhase = '';
  const ctx = {
    signal: new AbortController().signal, logger,
    progress: (p: { phase: string }) => {
      if (p.phase === lastPhase) return;
      const now = performance.now();
      if (lastPhase !== '') phases.push(`${lastPhase} ${((now - phaseAt) / 1000).toFixed(2)}`);
      if (p.phase === 'done') phases.push('|');
      lastPhase = p.phase === 'done' ? '' : p.phase;
      phaseAt = now;
    },
  };
  for (let round = 0; round < rounds; round++) {
    // Each round in a fresh directory, all removed at the end: deleting the last round's ~10,000 files
    // right before timing would make ext4 skip past thousands of recently freed inodes for both tools.
    const work = join(workRoot, `round-${round}`);
    const upstream = join(work, 'upstream');
    await mkdir(join(upstream, 'Packages'), { recursive: true });
    await cp(v1, join(upstream, 'Packages'), { recursive: true });
    await rm(join(upstream, 'Packages', '.done'));
    await runCommand(['createrepo_c', '--quiet', upstream], { timeoutMs: 600_000 });
    const nginx = await startNginx(join(work, 'nginx'), upstream, port);
    try {
      const repo = repoConfigSchema.parse({ name: 'bench', source: { kind: 'http', url }, parallelism: Number(process.env['BENCH_PARALLEL'] ?? 8) });
      const paths = repoPaths(join(work, 'data'));
      const dnfDir = join(work, 'dnf');
      const dnf = (...extra: string[]) => ['dnf', '-q', '-y', '--disableplugin=local', '--releasever=9', '--setopt=reposdir=/dev/null', `--setopt=cachedir=${join(dnfDir, 'cache')}`,
        `--repofrompath=bench,${url}`, '--repo=bench', 'reposync', '-p', join(dnfDir, 'mirror'), '--download-metadata', ...extra];
      // Order alternates per round so neither side always runs on a warmer page cache.
      const striker = async () => rows.first.push(await timed(() => syncRepo(repo, { paths, runner: runCommand, ctx })));
      const baseline = async () => rows.dnfFirst.push(await timed(async () => {
        await runCommand(dnf(), { timeoutMs: 600_000 });
        await runCommand(['createrepo_c', '--quiet', join(dnfDir, 'mirror', 'bench')], { timeoutMs: 600_000 });
      }));
      if (round % 2 === 0) { await striker(); await baseline(); } else { await baseline(); await striker(); }

      // 50 changes: replace 50 packages with new versions.
      const pk = join(upstream, 'Packages');
      const olds = (await readdir(pk)).filter((n) => /^bench00[0-4]\d-1\.0-1\.noarch\.rpm$/.test(n));
      for (const n of olds) await rm(join(pk, n));
      for (const n of (await readdir(v2)).filter((f) => f.endsWith('.rpm'))) await cp(join(v2, n), join(pk, n));
      await runCommand(['createrepo_c', '--quiet', '--update', upstream], { timeoutMs: 600_000 });

      const striker2 = async () => rows.incr.push(await timed(() => syncRepo(repo, { paths, runner: runCommand, ctx })));
      const baseline2 = async () => rows.dnfIncr.push(await timed(async () => {
        await runCommand(dnf('--delete'), { timeoutMs: 600_000 });
        await runCommand(['createrepo_c', '--quiet', '--update', join(dnfDir, 'mirror', 'bench')], { timeoutMs: 600_000 });
      }));
      if (round % 2 === 0) { await striker2(); await baseline2(); } else { await baseline2(); await striker2(); }
    } finally {
      nginx.kill('SIGTERM');
      await new Promise((r) => nginx.once('exit', r));
    }
  }
  const fsType = (await runCommand(['stat', '-f', '-c', '%T', workRoot], { timeoutMs: 10_000 }).catch(() => ({ stdout: '?' }))).stdout.trim();
  await rm(workRoot, { recursive: true, force: true });
  const f = (s: number) => `${s.toFixed(2)} s`;
  return [
    `(work directory ${workRoot}: ${fsType})`,
    `| sync (${count} RPMs, median of ${rounds}) | Striker syncRepo | dnf reposync --download-metadata + createrepo_c | ratio (dnf / Striker) |`,
    '| --- | --- | --- | --- |',
    `| first sync | ${f(median(rows.first))} | ${f(median(rows.dnfFirst))} | ${(median(rows.dnfFirst) / median(rows.first)).toFixed(2)}× |`,
    `| incremental, ${changes} changed | ${f(median(rows.incr))} | ${f(median(rows.dnfIncr))} | ${(median(rows.dnfIncr) / median(rows.incr)).toFixed(2)}× |`,
    `(Striker phases, s: ${phases.join(' ')})`,
    `(all runs, s: Striker first ${rows.first.map((x) => x.toFixed(2)).join(' ')}; dnf first ${rows.dnfFirst.map((x) => x.toFixed(2)).join(' ')}; Striker incr ${rows.incr.map((x) => x.toFixed(2)).join(' ')}; dnf incr ${rows.dnfIncr.map((x) => x.toFixed(2)).join(' ')})`,
  ];
}

async function wrk(url: string): Promise<{ rps: number; mbps: number }> {
  const r = await runCommand(['wrk', '-t1', '-c16', '-d8s', url], { timeoutMs: 60_000 });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1] ?? 0);
  const m = /Transfer\/sec:\s+([\d.]+)(\w+)/.exec(r.stdout);
  const unit = { B: 1e-6, KB: 1e-3, MB: 1, GB: 1e3 }[m?.[2] ?? 'MB'] ?? 1;
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(r.stdout);
  if (errors) throw new Error(`wrk saw ${errors[1]} error responses from ${url}`);
  return { rps, mbps: Number(m?.[1] ?? 0) * unit * 1.048576 };
}

async function serveBench(): Promise<string[]> {
  const work = join(root, 'serve');
  await rm(work, { recursive: true, force: true });
  const published = join(work, 'published');
  const snap = join(published, 'bench', 'snapshots', 's1');
  await mkdir(join(snap, 'Packages'), { recursive: true });
  await writeFile(join(snap, 'Packages', 'small-1k.rpm'), randomBytes(1024));
  await writeFile(join(snap, 'Packages', 'big-10m.rpm'), randomBytes(10 * 1024 * 1024));
  await symlink('snapshots/s1', join(published, 'bench', 'current'));
  await mkdir(join(work, 'trees'));
  // As in `striker serve` (build-app.ts): the repo routes plus their front door for cached small files.
  const frontDoor = new FrontDoor();
  const app = Fastify({ logger: false, serverFactory: frontDoor.serverFactory });
  await registerRepoRoutes(app, { reposDir: published, treesDir: join(work, 'trees'), frontDoor, ...(process.env['BENCH_READ_CHUNK'] ? { readChunkBytes: Number(process.env['BENCH_READ_CHUNK']) } : {}) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const sport = typeof addr === 'object' && addr ? addr.port : 0;
  const nport = 20000 + Math.floor(Math.random() * 2000);
  const nginx = await startNginx(join(work, 'nginx'), join(published, 'bench', 'current'), nport);
  const rows = ['| serving (wrk -t1 -c16 -d8s) | Striker /repos route | nginx same dir | ratio (Striker / nginx) |', '| --- | --- | --- | --- |'];
  try {
    for (const [label, file, metric] of [['1 KiB file', 'small-1k.rpm', 'rps'], ['10 MiB file', 'big-10m.rpm', 'mbps']] as const) {
      const s = await wrk(`http://127.0.0.1:${sport}/repos/bench/Packages/${file}`);
      const n = await wrk(`http://127.0.0.1:${nport}/Packages/${file}`);
      const fmt = (x: { rps: number; mbps: number }) => (metric === 'rps' ? `${Math.round(x.rps)} req/s` : `${Math.round(x.mbps)} MB/s (${Math.round(x.rps)} req/s)`);
      rows.push(`| ${label} | ${fmt(s)} | ${fmt(n)} | ${(s[metric] / n[metric]).toFixed(2)}× |`);
    }
    // CPU per GB sent for a large file: this process (Striker's routes, sendfile(2) and the
    // stream path) against nginx's master and workers (sendfile on), each under the same wrk load.
    const streamApp = Fastify({ logger: false });
    await registerRepoRoutes(streamApp, { reposDir: published, treesDir: join(work, 'trees'), sendfile: false });
    await streamApp.listen({ host: '127.0.0.1', port: 0 });
    const streamAddr = streamApp.server.address();
    const streamPort = typeof streamAddr === 'object' && streamAddr ? streamAddr.port : 0;
    try {
      const perGb = async (url: string, cpu: () => number): Promise<number> => {
        const before = cpu();
        const r = await wrk(url);
        return (cpu() - before) / ((r.mbps * 8) / 1000);
      };
      const own = (): number => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1e6;
      };
      const nginxCpu = (): number => processTreeCpuSeconds(nginx.pid ?? 0);
      const viaSendfile = await perGb(`http://127.0.0.1:${sport}/repos/bench/Packages/big-10m.rpm`, own);
      const viaStream = await perGb(`http://127.0.0.1:${streamPort}/repos/bench/Packages/big-10m.rpm`, own);
      const viaNginx = await perGb(`http://127.0.0.1:${nport}/Packages/big-10m.rpm`, nginxCpu);
      rows.push(
        '',
        '| server CPU per GB sent (10 MiB file, wrk -t1 -c16 -d8s) | CPU s/GB | against nginx |',
        '| --- | --- | --- |',
        `| Striker, sendfile(2) | ${viaSendfile.toFixed(2)} | ${(viaSendfile / viaNginx).toFixed(2)}× |`,
        `| Striker, stream path (sendfile: false) | ${viaStream.toFixed(2)} | ${(viaStream / viaNginx).toFixed(2)}× |`,
        `| nginx (sendfile on) | ${viaNginx.toFixed(2)} | 1.00× |`,
      );
    } finally {
      await streamApp.close();
    }
  } finally {
    await app.close();
    nginx.kill('SIGTERM');
    await new Promise((r) => nginx.once('exit', r));
  }
  return rows;
}

/** CPU seconds (user + system) of a process and its children now running (nginx's master and workers). */
function processTreeCpuSeconds(pid: number): number {
  const ticks = 100; // USER_HZ on Linux
  const pids = [pid, ...readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((p) => {
    try {
      return Number(readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) === pid;
    } catch {
      return false;
    }
  })];
  let total = 0;
  for (const p of pids) {
    try {
      const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / ticks;
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

requirePeers('rpmbuild', 'createrepo_c', 'nginx', 'dnf', 'wrk');
const which = process.argv[2] ?? 'all';
const out: string[] = [];
if (which === 'all' || which === 'sync') {
  const { v1, v2 } = await cachedRpms();
  out.push(...(await syncBench(v1, v2)), '');
}
if (which === 'all' || which === 'serve') out.push(...(await serveBench()));
console.log(out.join('\n'));
