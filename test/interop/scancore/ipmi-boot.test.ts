/**
 * `scancore.ipmi-boot` against a real BMC simulator: OpenIPMI's `ipmi_sim` on loopback (ports
 * 6261/6262) driven with the real `ipmitool`. The chassis is powered off first; the job powers it
 * on (the simulator's chassis hook records the call), with the password in the environment only.
 *
 * The same BMC is then a DR host's (cluster/dr): the link's schedule fires (DrScheduler), and the
 * `dr.cycle` job it enqueues, run by Striker's job runner with the real `ipmitool`, powers it on,
 * has the DR host's agent wait for the protected resources and powers it off. The DR host is the real agent runtime (AgentRuntime) against Striker's agent API on
 * loopback, running the product's `dr.sync-wait` runner; it runs while its BMC reports the chassis
 * on, as a host boots with its chassis. What the lab cannot run is DRBD (no kernel module): the
 * DR host's `drbdsetup status --json` is answered from drbdsetup 9's own JSON
 * (test/fixtures/scancore/drbd), the protected resources UpToDate and connected, or Inconsistent
 * while syncing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drCycleJobKind } from '../../../cluster/dr/dr-cycle.js';
import { DrScheduler } from '../../../cluster/dr/dr-scheduler.js';
import { getDrLink, insertDrLink, insertProtection, updateProtection } from '../../../cluster/dr/dr-store.js';
import { syncWaitRunner } from '../../../cluster/dr/sync-wait-runner.js';
import { ipmiBootJobKind } from '../../../cluster/scancore/actions.js';
import { agentArea } from '../../../striker/agent/agent-area.js';
import { agentConfigSchema } from '../../../striker/agent/agent-config.js';
import { AgentRuntime } from '../../../striker/agent/agent-runtime.js';
import { JobEvents } from '../../../striker/events/job-events.js';
import { catalogOf } from '../../../striker/jobs/job-kind.js';
import { JobRunner } from '../../../striker/jobs/job-runner.js';
import { getJob, listJobs } from '../../../striker/jobs/job-store.js';
import type { Job } from '../../../striker/jobs/job.js';
import { createTestApp, type TestApp } from '../../support/test-app.js';
import { createTestDatabase } from '../../support/test-database.js';
import type { ScancorePair } from '../../../cluster/scancore/scancore-config.js';
import { runCommand, type CommandRunner } from '../../../striker/core/command/run-command.js';
import type { JobContext } from '../../../striker/jobs/job-kind.js';
import { quietLogger } from '../../support/test-database.js';

const LAN_PORT = 6261;
const CONSOLE_PORT = 6262;
const lab = fileURLToPath(new URL('../../fixtures/scancore/ipmi-sim/', import.meta.url));
let dir: string;
let sim: ChildProcess | undefined;
const ipmitool = (...command: string[]) => runCommand(['ipmitool', '-I', 'lanplus', '-C', '3', '-H', '127.0.0.1', '-p', String(LAN_PORT), '-U', 'admin', '-E', ...command], { timeoutMs: 15_000, env: { IPMI_PASSWORD: 'secret' } });

const pair = (password: string): ScancorePair => ({
  id: 'an-anvil-01',
  nodes: [{ name: 'an-a01n01', hostId: '52-54-00-00-ad-01', ipmi: { address: '127.0.0.1', port: LAN_PORT, username: 'admin', password } }, { name: 'an-a01n02', hostId: '52-54-00-00-ad-02' }],
  upses: [],
});

function context(payload: { pairId: string; node: string }): { ctx: JobContext<{ pairId: string; node: string }>; progress: string[] } {
  const progress: string[] = [];
  const ctx = {
    job: {} as JobContext<unknown>['job'], payload, signal: new AbortController().signal, logger: quietLogger,
    progress: async (_p: number, message?: string) => void progress.push(message ?? ''),
    note: async () => undefined,
    checkpoint: () => undefined,
    nothingChanged: () => undefined,
  };
  return { ctx, progress };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'scancore-boot-'));
  const state = join(dir, 'state', 'ipmi_sim', 'bmc1');
  mkdirSync(state, { recursive: true });
  writeFileSync(join(dir, 'fan1.val'), '60\n');
  writeFileSync(join(dir, 'bmc.emu'), readFileSync(join(lab, 'bmc.emu'), 'utf8').replace('@FAN_FILE@', join(dir, 'fan1.val')));
  writeFileSync(join(dir, 'lan.conf'), [
    'name "bmc1"', 'set_working_mc 0x20', '  startlan 1', `    addr 127.0.0.1 ${LAN_PORT}`, '    priv_limit admin',
    ...['callback', 'user', 'operator', 'admin'].map((p) => `    allowed_auths_${p} none md2 md5 straight`),
    '    guid a123456789abcdefa123456789abcd61', '  endlan',
    `  chassis_control "${join(lab, 'chassis-control.sh')} ${join(dir, 'chassis')}"`,
    '  user 2 true  "admin" "secret" admin 10 none md2 md5 straight',
    `console 127.0.0.1 ${CONSOLE_PORT}`, '',
  ].join('\n'));
  await runCommand(['sdrcomp', '-8', '-o', join(state, 'sdr.20.main'), join(lab, 'bmc.sdrs')], { timeoutMs: 10_000 });
  sim = spawn('ipmi_sim', ['-c', join(dir, 'lan.conf'), '-f', join(dir, 'bmc.emu'), '-s', join(dir, 'state'), '-n'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const probe = await runCommand(['ipmitool', '-I', 'lanplus', '-C', '3', '-H', '127.0.0.1', '-p', String(LAN_PORT), '-U', 'admin', '-E', 'mc', 'info'], { timeoutMs: 10_000, okExitCodes: [0, 1], env: { IPMI_PASSWORD: 'secret' } });
    if (probe.exitCode === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`ipmi_sim did not answer on 127.0.0.1:${LAN_PORT}`);
});

afterAll(() => {
  if (sim?.pid !== undefined && sim.exitCode === null) sim.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('scancore.ipmi-boot against ipmi_sim', () => {
  it('powers an off chassis on through the BMC, the password never in argv', async () => {
    await ipmitool('chassis', 'power', 'off');
    expect((await ipmitool('chassis', 'power', 'status')).stdout.trim()).toBe('Chassis Power is off');
    const argvs: (readonly string[])[] = [];
    const run: CommandRunner = (argv, options) => {
      argvs.push(argv);
      return runCommand(argv, options);
    };
    const kind = ipmiBootJobKind({ pairs: () => [pair('secret')], run, timeoutMs: 15_000, pollMs: 200 });
    const { ctx, progress } = context({ pairId: 'an-anvil-01', node: 'an-a01n01' });
    await kind.run(ctx);
    expect((await ipmitool('chassis', 'power', 'status')).stdout.trim()).toBe('Chassis Power is on');
    expect(readFileSync(join(dir, 'chassis', 'calls.log'), 'utf8')).toMatch(/set power 1/);
    expect(argvs[0]!.slice(-3)).toEqual(['chassis', 'power', 'on']);
    expect(argvs.flat()).not.toContain('secret');
    expect(progress.at(-1)).toBe('The BMC of {node} reports the chassis on');
  });

  it('fails with the BMC\'s refusal on a wrong password, and on a node without a BMC', async () => {
    const wrong = ipmiBootJobKind({ pairs: () => [pair('wrong')], run: runCommand, timeoutMs: 15_000, pollMs: 200 });
    await expect(wrong.run(context({ pairId: 'an-anvil-01', node: 'an-a01n01' }).ctx)).rejects.toThrow(/ipmitool/);
    await expect(wrong.run(context({ pairId: 'an-anvil-01', node: 'an-a01n02' }).ctx)).rejects.toThrow('node an-a01n02 has no BMC in scancore.pairs (ipmi)');
  });
});

describe('a DR cycle against the same BMC and a DR host agent', () => {
  const drHostId = '52-54-00-00-ad-03';
  const resources = ['srv01', 'srv02'];
  let app: TestApp;
  let events: JobEvents;
  let url: string;
  /** What the DR host's drbdsetup reports: drbdsetup 9's JSON for the protected resources. */
  let diskState: 'UpToDate' | 'Inconsistent' = 'UpToDate';
  const drbdStatus = () => {
    const sample = JSON.parse(readFileSync(join(lab, '..', 'drbd', 'status-published.json'), 'utf8')) as Record<string, unknown>[];
    return JSON.stringify(resources.map((name, i) => {
      const r = structuredClone(sample[0]!) as { name: string; devices: Record<string, unknown>[]; connections: { peer_devices: Record<string, unknown>[] }[] };
      r.name = name;
      r.devices[0]!['minor'] = i;
      r.devices[0]!['disk-state'] = diskState;
      if (diskState !== 'UpToDate') Object.assign(r.connections[0]!.peer_devices[0]!, { 'replication-state': 'SyncTarget', 'percent-in-sync': 40 });
      return r;
    }));
  };
  const drHostRun: CommandRunner = async (argv, options) => {
    if (argv.join(' ') !== 'drbdsetup status --json') return runCommand(argv, options);
    return { argv, exitCode: 0, stdout: drbdStatus(), stderr: '', durationMs: 0 };
  };

  /**
   * The DR host: its agent runs while the BMC reports the chassis on, and stops when it reports it
   * off. Returns the power states seen, in order (each change once), and a stop function.
   */
  async function drHost() {
    const seen: string[] = [];
    let agent: AgentRuntime | undefined;
    let stopped = false;
    const area = agentArea({ db: app.t.db, logger: quietLogger, inventoryMaxBytes: 65536 });
    const credentials = await app.t.db.tx((tx) => area.onRegistered(tx, drHostId, '127.0.0.1'));
    const look = async () => {
      const power = (await ipmitool('chassis', 'power', 'status')).stdout.trim().replace('Chassis Power is ', '');
      if (seen.at(-1) !== power) seen.push(power);
      return power;
    };
    await look();
    const loop = (async () => {
      while (!stopped) {
        const power = await look();
        if (power === 'on' && agent === undefined) {
          agent = new AgentRuntime({
            config: agentConfigSchema.parse({ strikerUrls: [url], hostId: drHostId, heartbeatSeconds: 1 }), credentials, version: 'test', logger: quietLogger,
            run: drHostRun, collectInventory: async () => ({ systemUuid: null, hostName: 'an-a01dr01', cpu: { model: 'x', count: 1 }, memoryBytes: 1, disks: [], nics: [] }),
            injectedRunners: { 'dr.sync-wait': syncWaitRunner({ run: drHostRun }) },
          });
          await agent.start();
        } else if (power === 'off' && agent !== undefined) {
          await agent.stop(500);
          agent = undefined;
        }
        await new Promise((r) => setTimeout(r, 150));
      }
      await agent?.stop(500);
    })();
    return { seen, stop: async () => { stopped = true; await loop; } };
  }

  const bmcOf = async () => ({ ipmi: { address: '127.0.0.1', port: LAN_PORT, username: 'admin', passwordRef: 'hosts.dr.ipmi' }, password: 'secret' });
  const catalog = () => catalogOf([drCycleJobKind({ db: app.t.db, run: runCommand, bmcOf, commandTimeoutMs: 15_000, pollMs: 200 })]);

  /** The schedule fires for `slot` (its cron time): the `dr.cycle` job it enqueued, once it ended. */
  async function scheduledCycle(slot: string, cycle: { syncTimeoutSeconds: number; pollSeconds: number }): Promise<Job> {
    const scheduler = new DrScheduler(app.t.db, catalog(), quietLogger, { cycle: { bootTimeoutSeconds: 30, ...cycle } });
    const at = Date.parse(slot);
    expect(await scheduler.tick(new Date(at - 10_000))).toEqual([]);
    expect(await scheduler.tick(new Date(at + 10_000))).toEqual(['an-anvil-01']);
    const [queued] = await listJobs(app.t.db, { kind: 'dr.cycle', status: 'queued', limit: 1 });
    expect(queued?.payload).toMatchObject({ anvil: 'an-anvil-01', slot: new Date(at).toISOString() });
    for (let i = 0; i < 600; i++) {
      const job = await getJob(app.t.db, queued!.id);
      if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`dr.cycle ${queued!.id} did not end`);
  }
  const chassisCalls = () => readFileSync(join(dir, 'chassis', 'calls.log'), 'utf8').split('\n').filter((l) => / set power /.test(l)).map((l) => l.replace(/^\d+ /, ''));

  let runner: JobRunner;

  beforeAll(async () => {
    const database = await createTestDatabase();
    events = new JobEvents(database.db, quietLogger);
    await events.start();
    const area = agentArea({ db: database.db, logger: quietLogger, inventoryMaxBytes: 65536 });
    app = await createTestApp({ agentCredentials: area.credentialCheck, events, plugins: [(a) => area.plugin(a, events)] }, database);
    await app.app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.app.server.address() as AddressInfo).port}`;
    // Striker's job runner: it runs the dr.cycle jobs the schedule enqueues.
    runner = new JobRunner({ db: database.db, catalog: catalog(), logger: quietLogger, host: 'striker1', workers: 1, pollSeconds: 0.1, heartbeatSeconds: 0.5, staleAfterSeconds: 60 });
    await runner.start();
    await insertDrLink(database.db, { anvil: 'an-anvil-01', drHost: 'an-a01dr01', drHostId, drSnAddress: '10.101.10.3', protocol: 'A', mode: 'boot-sync-shutdown', schedule: '0 2 * * *', state: 'linked' });
    for (const server of resources) {
      await insertProtection(database.db, { serverName: server, anvil: 'an-anvil-01', jobs: null });
      await updateProtection(database.db, server, { state: 'protected', protectedNow: true });
    }
  });

  afterAll(async () => {
    await runner?.stop(1000);
    await events?.close();
    await app?.close();
  });

  it('the schedule\'s dr.cycle powers the DR host on through the BMC, its agent reports the resources UpToDate, it is powered off and the cycle recorded', async () => {
    await ipmitool('chassis', 'power', 'off');
    const callsBefore = chassisCalls().length;
    diskState = 'UpToDate';
    const host = await drHost();
    let job: Job;
    try {
      job = await scheduledCycle('2026-12-07T02:00:00Z', { syncTimeoutSeconds: 30, pollSeconds: 0.2 });
      expect((await ipmitool('chassis', 'power', 'status')).stdout.trim()).toBe('Chassis Power is off');
      // The host looks at its chassis every 150 ms (between an agent's start or stop): wait for it to see it off.
      await expect.poll(() => host.seen.at(-1), { timeout: 15_000, interval: 100 }).toBe('off');
    } finally {
      await host.stop();
    }
    expect(job.status, job.lastError ?? '').toBe('succeeded');
    expect(host.seen).toEqual(['off', 'on', 'off']);
    expect(chassisCalls().slice(callsBefore)).toEqual(['set power 1', 'set power 0']);
    const [wait] = await listJobs(app.t.db, { kind: 'dr.sync-wait', limit: 1 });
    expect(wait).toMatchObject({ status: 'succeeded', targetHost: drHostId });
    const link = (await getDrLink(app.t.db, 'an-anvil-01'))!;
    expect(link.lastCycleOutcome).toBe('succeeded');
    expect(link.lastCycleMessage).toBe('an-a01dr01 was powered on, synced (Every protected resource of an-anvil-01 is UpToDate here (srv01, srv02), after 1 look(s)) and powered off');
  }, 60_000);

  it('a wait that ends without the resources in sync fails the cycle, recorded with the reason, and the DR host is still powered off', async () => {
    await ipmitool('chassis', 'power', 'off');
    const callsBefore = chassisCalls().length;
    diskState = 'Inconsistent';
    const host = await drHost();
    let job: Job;
    try {
      job = await scheduledCycle('2026-12-08T02:00:00Z', { syncTimeoutSeconds: 10, pollSeconds: 1 });
      expect((await ipmitool('chassis', 'power', 'status')).stdout.trim()).toBe('Chassis Power is off');
      // The host looks at its chassis every 150 ms (between an agent's start or stop): wait for it to see it off.
      await expect.poll(() => host.seen.at(-1), { timeout: 15_000, interval: 100 }).toBe('off');
    } finally {
      await host.stop();
    }
    const reason = 'the sync on an-a01dr01 did not finish: not in sync after 10 s: srv01: disk Inconsistent (SyncTarget 40% in sync); srv02: disk Inconsistent (SyncTarget 40% in sync)';
    expect(job).toMatchObject({ status: 'failed', lastError: reason });
    expect(host.seen).toEqual(['off', 'on', 'off']);
    expect(chassisCalls().slice(callsBefore)).toEqual(['set power 1', 'set power 0']);
    expect(await getDrLink(app.t.db, 'an-anvil-01')).toMatchObject({ lastCycleOutcome: 'failed', lastCycleMessage: reason });
  }, 60_000);
});
