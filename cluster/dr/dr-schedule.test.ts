/**
 * The schedule and the cycle job on a real database: a link this Striker owns enqueues one
 * `dr.cycle` when its cron time passes (and none while the previous cycle is open); the job powers
 * the DR host on through its BMC, has the DR host's agent wait for the protected resources, powers
 * it off, and records the cycle — a failed wait is recorded and reported as a failure, with the DR
 * host still powered off.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCredentialAtRegistration } from '../../striker/agent/index.js';
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import { catalogOf, type JobContext } from '../../striker/jobs/job-kind.js';
import { claimJobs, finishJob, listJobs } from '../../striker/jobs/job-store.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.js';
import { drCycleJobKind, drCyclePayload } from './dr-cycle.js';
import { DrScheduler } from './dr-scheduler.js';
import { getDrLink, insertDrLink, insertProtection, updateProtection } from './dr-store.js';

let t: TestDatabase;
const drHostId = '52-54-00-a1-00-03';
const logger = pino({ level: 'silent' });

beforeAll(async () => {
  t = await createTestDatabase();
  await t.db.tx((tx) => issueCredentialAtRegistration(tx, drHostId, '127.0.0.1'));
  await insertDrLink(t.db, { anvil: 'an-anvil-01', drHost: 'an-a01dr01', drHostId, drSnAddress: '10.101.10.3', protocol: 'A', mode: 'boot-sync-shutdown', schedule: '0 2 * * *', state: 'linked' });
  await insertDrLink(t.db, { anvil: 'an-anvil-02', drHost: 'an-a02dr01', drHostId: '52-54-00-a2-00-03', drSnAddress: '10.101.20.3', protocol: 'A', mode: 'always-on', schedule: null, state: 'linked' });
  for (const s of ['srv01', 'srv02']) {
    await insertProtection(t.db, { serverName: s, anvil: 'an-anvil-01', jobs: null });
    await updateProtection(t.db, s, { state: 'protected', protectedNow: true });
  }
});
afterAll(async () => t.drop());

/** A BMC that keeps the chassis state the last power command set. */
function bmc() {
  let power: 'on' | 'off' = 'off';
  const log: string[] = [];
  const run: CommandRunner = async (argv, options) => {
    expect(argv).not.toContain('secret');
    expect(options?.env?.['IPMI_PASSWORD']).toBe('secret');
    const tail = argv.slice(-3).join(' ');
    if (tail === 'chassis power on' || tail === 'chassis power off') {
      power = argv.at(-1) as 'on' | 'off';
      log.push(`power ${power}`);
    }
    return { stdout: tail === 'chassis power status' ? `Chassis Power is ${power}\n` : '', stderr: '', exitCode: 0 } as Awaited<ReturnType<CommandRunner>>;
  };
  return { run, log, power: () => power };
}

function context(payload: unknown, notes: string[]): JobContext<ReturnType<typeof drCyclePayload.parse>> {
  return {
    job: { id: '00000000-0000-4000-8000-000000000001' } as JobContext<unknown>['job'], payload: drCyclePayload.parse(payload), signal: new AbortController().signal, logger,
    progress: async () => undefined, nothingChanged: (r) => void notes.push(`nothing: ${r}`), checkpoint: () => undefined,
    note: async (m, vars) => void notes.push(m.replace(/\{(\w+)\}/g, (_, k: string) => String(vars?.[k]))),
  };
}

/** The DR host's agent: claims its dr.sync-wait job and ends it. */
async function drAgent(outcome: 'succeeded' | 'failed') {
  for (let i = 0; i < 400; i++) {
    const [job] = await claimJobs(t.db, { workerId: 'dr-agent', kinds: ['dr.sync-wait'], targetHost: drHostId, limit: 1 });
    if (job !== undefined) {
      await finishJob(t.db, job.id, 'dr-agent', outcome === 'succeeded'
        ? { kind: 'succeeded', message: 'Every protected resource of an-anvil-01 is UpToDate here (srv01, srv02), after 3 look(s)' }
        : { kind: 'failed', error: 'not in sync after 60 s: srv02: disk Inconsistent (SyncTarget 40% in sync)', retryAfterSeconds: null });
      return job;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('no dr.sync-wait job');
}

const bmcOf = async () => ({ ipmi: { address: '10.201.11.3', username: 'admin', passwordRef: 'hosts.dr.ipmi' }, password: 'secret' });

describe('DR schedule and cycle', () => {
  it('enqueues one cycle when the schedule fires, only for boot-sync-shutdown links, and none while one is open', async () => {
    const kind = drCycleJobKind({ db: t.db, run: bmc().run, bmcOf, commandTimeoutMs: 1000 });
    const scheduler = new DrScheduler(t.db, catalogOf([kind]), logger, { cycle: { syncTimeoutSeconds: 60 } });
    expect(await scheduler.tick(new Date('2026-12-06T01:59:00Z'))).toEqual([]);
    expect(await scheduler.tick(new Date('2026-12-06T01:59:50Z'))).toEqual([]);
    expect(await scheduler.tick(new Date('2026-12-06T02:00:20Z'))).toEqual(['an-anvil-01']);
    expect(await scheduler.tick(new Date('2026-12-06T02:00:50Z'))).toEqual([]);
    const jobs = await listJobs(t.db, { kind: 'dr.cycle', limit: 10 });
    expect(jobs.map((j) => [j.subject, j.payload])).toEqual([['an-anvil-01', { anvil: 'an-anvil-01', slot: '2026-12-06T02:00:00.000Z', syncTimeoutSeconds: 60, bootTimeoutSeconds: 600, pollSeconds: 10 }]]);
    // The next day's time comes while that cycle is still queued: skipped, not doubled.
    expect(await scheduler.tick(new Date('2026-12-07T02:00:10Z'))).toEqual([]);
  });

  it('a cycle powers the DR host on, has its agent wait for the protected resources, powers it off, and records it', async () => {
    const b = bmc();
    const kind = drCycleJobKind({ db: t.db, run: b.run, bmcOf, commandTimeoutMs: 1000, pollMs: 5 });
    const notes: string[] = [];
    const [, wait] = await Promise.all([kind.run(context({ anvil: 'an-anvil-01', slot: '2026-12-06T02:00:00Z' }, notes)), drAgent('succeeded')]);
    expect(wait.payload).toEqual({ anvilName: 'an-anvil-01', resources: ['srv01', 'srv02'], timeoutSeconds: 14_400, pollSeconds: 10 });
    expect(b.log).toEqual(['power on', 'power off']);
    const link = (await getDrLink(t.db, 'an-anvil-01'))!;
    expect(link.lastCycleOutcome).toBe('succeeded');
    expect(link.lastCycleMessage).toBe('an-a01dr01 was powered on, synced (Every protected resource of an-anvil-01 is UpToDate here (srv01, srv02), after 3 look(s)) and powered off');
  });

  it('a failed wait fails the cycle, recorded with the reason, and the DR host is powered off', async () => {
    const b = bmc();
    const kind = drCycleJobKind({ db: t.db, run: b.run, bmcOf, commandTimeoutMs: 1000, pollMs: 5 });
    const [result] = await Promise.allSettled([kind.run(context({ anvil: 'an-anvil-01', slot: '2026-12-07T02:00:00Z' }, [])), drAgent('failed')]);
    expect(result.status).toBe('rejected');
    const message = 'the sync on an-a01dr01 did not finish: not in sync after 60 s: srv02: disk Inconsistent (SyncTarget 40% in sync)';
    expect((result as PromiseRejectedResult).reason.message).toBe(message);
    expect(b.log).toEqual(['power on', 'power off']);
    expect(b.power()).toBe('off');
    expect(await getDrLink(t.db, 'an-anvil-01')).toMatchObject({ lastCycleOutcome: 'failed', lastCycleMessage: message });
  });

  it('an always-on link has no cycle', async () => {
    const b = bmc();
    const notes: string[] = [];
    await drCycleJobKind({ db: t.db, run: b.run, bmcOf, commandTimeoutMs: 1000 }).run(context({ anvil: 'an-anvil-02', slot: '2026-12-07T02:00:00Z' }, notes));
    expect(notes).toEqual(["nothing: an-anvil-02's DR link is linked, always-on: no cycle"]);
    expect(b.log).toEqual([]);
  });
});
