/**
 * `kill -9` of `striker serve` at random points of its start-up and its run, 20 rounds on one data
 * directory; after each, `striker serve` again must come up (health answers) or exit non-zero with
 * the reason on stderr, never exit 0 silently and never hang, and the lock never names a process
 * that is gone once it has exited. The CLI works after a crash too. At the end no process of this
 * test is left: every postgres whose pid was read from postmaster.pid is checked, and any left is
 * stopped by that pid. CRASH_SEED=<n> replays a run's kill points; CRASH_ROUNDS=<n> runs fewer or more rounds.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockOwner } from '../../striker/db/data-dir-lock.js';
import { isAlive } from '../../striker/core/process-probe.js';
import { parsePostmasterPid, stopPostmaster } from '../../striker/db/stale-postmaster.js';
import { freePort, runStriker, spawnServe, type SpawnedServe } from '../support/striker-process.js';

const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 20);
/** Longest wait for a serve to come up or exit: stopping a stale PostgreSQL (bounded), crash recovery, migrations. */
const OUTCOME_MS = 120_000;

type KillPoint = 'start-up' | 'listening' | 'running';

interface Outcome {
  round: number;
  killPoint: KillPoint;
  delayMs: number;
  result: 'up' | 'refused';
  code: number | null;
  reason: string;
}

let dataDir: string;
let env: Record<string, string>;
const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
const postgresPids = new Set<number>();
const spawned: SpawnedServe[] = [];

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
function random(s: number): () => number {
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function notePostmaster(): void {
  try {
    const record = parsePostmasterPid(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8'));
    if (record) postgresPids.add(record.pid);
  } catch {
    // not written (yet, or any more)
  }
}

function serve(): SpawnedServe {
  const s = spawnServe(env);
  spawned.push(s);
  return s;
}

async function kill9(s: SpawnedServe): Promise<void> {
  notePostmaster();
  s.child.kill('SIGKILL');
  await s.exited;
  notePostmaster();
}

/** Waits for the serve to come up (and checks health) or to exit; fails if it does neither in time. */
async function outcomeOf(s: SpawnedServe): Promise<Pick<Outcome, 'result' | 'code' | 'reason'>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), OUTCOME_MS)));
  const first = await Promise.race([s.ready.then((url) => ({ url })), s.exited.then((exit) => ({ exit })), late]);
  clearTimeout(timer);
  notePostmaster();
  if (first === 'late') throw new Error(`striker serve neither came up nor exited within ${OUTCOME_MS} ms; stderr: ${s.stderr().slice(-2000)}`);
  if ('url' in first) {
    const health = await fetch(`${first.url}/api/health`);
    expect(health.status, s.stderr().slice(-2000)).toBe(200);
    return { result: 'up', code: null, reason: '' };
  }
  const reason = /^striker: .+$/m.exec(s.stderr())?.[0] ?? '';
  return { result: 'refused', code: first.exit.code, reason };
}

/** Processes of this test still running: postgres pids read from postmaster.pid, and anything working in or naming the data directory. */
function leftovers(): number[] {
  const found = new Set([...postgresPids].filter((pid) => isAlive(pid)));
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      if ((cmdline.includes(dataDir) || cwd.startsWith(dataDir)) && isAlive(pid)) found.add(pid);
    } catch {
      // gone, or not readable
    }
  }
  return [...found];
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'striker-crash-'));
  env = { STRIKER_DATA_DIR: dataDir, STRIKER_HTTP__HOST: '127.0.0.1', STRIKER_HTTP__PORT: String(await freePort()), STRIKER_LOG__LEVEL: 'warn' };
});

afterAll(async () => {
  for (const s of spawned) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  await Promise.all(spawned.map((s) => s.exited));
  for (const pid of leftovers()) await stopPostmaster(pid, dataDir, { fastMs: 10_000, immediateMs: 5_000 }).catch(() => process.kill(pid, 'SIGKILL'));
  rmSync(dataDir, { recursive: true, force: true });
});

describe(`striker serve after kill -9 (seed ${seed})`, () => {
  it(`starts again, or exits non-zero saying why, in each of ${ROUNDS} rounds`, { timeout: 600_000 }, async () => {
    const next = random(seed);
    const outcomes: Outcome[] = [];
    let previous: SpawnedServe | undefined;
    for (let round = 0; round < ROUNDS; round++) {
      const killPoint: KillPoint = previous && round % 4 === 3 ? 'running' : round % 3 === 2 ? 'listening' : 'start-up';
      let victim: SpawnedServe;
      let delayMs: number;
      if (killPoint === 'running') {
        victim = previous!;
        delayMs = Math.floor(next() * 300);
      } else {
        if (previous) {
          previous.child.kill('SIGTERM');
          const { code } = await previous.exited;
          expect(code, `round ${round}: a running serve stops cleanly; ${previous.stderr().slice(-1000)}`).toBe(0);
        }
        victim = serve();
        delayMs = killPoint === 'start-up' ? Math.floor(next() * 3000) : Math.floor(next() * 500);
        if (killPoint === 'listening') await Promise.race([victim.ready, victim.exited]);
      }
      previous = undefined;
      await Promise.race([new Promise((r) => setTimeout(r, delayMs)), victim.exited]);
      if (victim.child.exitCode !== null) {
        // It ended on its own before the kill: that start is judged like any other.
        expect(victim.child.exitCode, `round ${round}: serve exited by itself; ${victim.stderr().slice(-1000)}`).not.toBe(0);
      }
      await kill9(victim);
      const again = serve();
      const outcome: Outcome = { round, killPoint, delayMs, ...(await outcomeOf(again)) };
      outcomes.push(outcome);
      const context = `seed ${seed}, round ${round} (${killPoint} +${delayMs} ms): ${again.stderr().slice(-1500)}`;
      if (outcome.result === 'up') {
        previous = again;
      } else {
        expect(outcome.code, context).not.toBe(0);
        expect(outcome.reason, context).not.toBe('');
        expect(lockOwner(dataDir)?.pid, `${context}: the lock names the process that exited`).not.toBe(again.child.pid);
      }
    }
    if (previous) {
      previous.child.kill('SIGTERM');
      expect((await previous.exited).code).toBe(0);
      expect(lockOwner(dataDir)).toBeUndefined();
    }
    const summary = outcomes.map((o) => `${o.round}:${o.killPoint}+${o.delayMs}ms=${o.result}${o.code === null ? '' : `(${o.code})`}`).join(' ');
    process.stdout.write(`crash-restart seed ${seed}: ${summary}\n`);
    for (const o of outcomes) expect(o.result === 'up' || (o.code !== 0 && o.reason !== ''), summary).toBe(true);
  });

  it('lets the CLI work after a crash of serve, and serve start after that', async () => {
    const victim = serve();
    await victim.ready;
    await kill9(victim);
    const list = await runStriker(['--json', 'user', 'list'], env);
    expect(list.code, list.stderr).toBe(0);
    expect(Array.isArray(JSON.parse(list.stdout))).toBe(true);
    expect(lockOwner(dataDir)).toBeUndefined();
    const again = serve();
    expect(await outcomeOf(again)).toMatchObject({ result: 'up' });
    again.child.kill('SIGTERM');
    expect((await again.exited).code).toBe(0);
  });

  it('exits non-zero when PostgreSQL cannot start, with the cause in the log at error level and on stderr, and frees the lock', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    try {
      const port = String((taken.address() as { port: number }).port);
      const r = await runStriker(['serve'], { ...env, STRIKER_DATABASE__EMBEDDED_PORT: port }, undefined, OUTCOME_MS);
      expect(r.code, r.stderr).toBe(69);
      const lines = r.stderr.split('\n').filter((l) => l.startsWith('striker: '));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^striker: embedded PostgreSQL under \S+ did not start: the postgres process exited: .*FATAL: +could not create any TCP\/IP sockets/);
      const logged = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: number; msg: string; err?: { message: string } });
      expect(logged.find((l) => l.msg === 'striker serve could not start')).toMatchObject({ level: 50, err: { message: expect.stringContaining('could not create any TCP/IP sockets') } });
      expect(lockOwner(dataDir)).toBeUndefined();
    } finally {
      taken.close();
    }
  });

  it('stops cleanly, exit 0, on a SIGTERM during start-up (once its PostgreSQL is starting)', async () => {
    const s = serve();
    const pidFile = join(dataDir, 'postgres', 'postmaster.pid');
    await expect.poll(() => existsSync(pidFile) || s.child.exitCode !== null, { timeout: OUTCOME_MS, interval: 20 }).toBe(true);
    notePostmaster();
    s.child.kill('SIGTERM');
    const exit = await s.exited;
    expect(exit.code, s.stderr()).toBe(0);
    expect(lockOwner(dataDir)).toBeUndefined();
    expect(existsSync(pidFile)).toBe(false);
  });

  it('leaves no process of this test running', async () => {
    expect(postgresPids.size).toBeGreaterThan(0);
    const deadline = Date.now() + 30_000;
    while (leftovers().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(leftovers()).toEqual([]);
  });
});
