/**
 * The boot-sync-shutdown sequence with fake steps, the DR host's wait with a clock it moves, and
 * the sync rule as a table: the DR host is powered off after every cycle (also a failed one), a
 * wait that runs out of time fails naming each resource and why, and nothing unsynced passes.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { HostJobContext, HostJobPayload } from '../../striker/agent/index.js';
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import { parseDrbdStatus } from '../scancore/parsers/drbd.js';
import { runDrCycle, type CycleSteps } from './dr-cycle.js';
import { syncLag } from './sync-wait.js';
import { syncWaitRunner } from './sync-wait-runner.js';

/** One resource as `drbdsetup status --json` prints it on the DR host (node id 2). */
function status(name: string, disk: string, connection: string, replication = 'Established', percent?: number) {
  return {
    name, 'node-id': 2, role: 'Secondary', suspended: false,
    devices: [{ volume: 0, minor: 0, 'disk-state': disk }],
    connections: ['an-a01n01', 'an-a01n02'].map((peer, i) => ({
      'peer-node-id': i, name: peer, 'connection-state': connection, congested: false, 'peer-role': i === 0 ? 'Primary' : 'Secondary',
      peer_devices: [{ volume: 0, 'replication-state': replication, 'peer-disk-state': 'UpToDate', ...(percent === undefined ? {} : { 'percent-in-sync': percent }) }],
    })),
  };
}
const text = (...resources: object[]) => JSON.stringify(resources);

function fakeSteps(over: Partial<Pick<CycleSteps, 'power' | 'syncWait'>> = {}) {
  const calls: string[] = [];
  const steps: CycleSteps = {
    power: async (state) => { calls.push(`power ${state}`); await over.power?.(state); },
    syncWait: async (resources) => { calls.push(`wait ${resources.join(',')}`); return over.syncWait ? over.syncWait(resources) : { ok: true, message: 'all UpToDate' }; },
    progress: async () => undefined,
    note: async () => undefined,
  };
  return { steps, calls };
}

describe('runDrCycle', () => {
  const input = { anvil: 'an-anvil-01', drHost: 'an-a01dr01', resources: ['srv01', 'srv02'] };

  it('powers on, waits for every protected resource, powers off', async () => {
    const { steps, calls } = fakeSteps();
    expect(await runDrCycle(steps, input)).toEqual({ outcome: 'succeeded', message: 'an-a01dr01 was powered on, synced (all UpToDate) and powered off' });
    expect(calls).toEqual(['power on', 'wait srv01,srv02', 'power off']);
  });

  it('a wait that fails still powers the DR host off, and the cycle fails saying why', async () => {
    const { steps, calls } = fakeSteps({ syncWait: async () => ({ ok: false, reason: 'not in sync after 60 s: srv02: disk Inconsistent' }) });
    expect(await runDrCycle(steps, input)).toEqual({ outcome: 'failed', message: 'the sync on an-a01dr01 did not finish: not in sync after 60 s: srv02: disk Inconsistent' });
    expect(calls).toEqual(['power on', 'wait srv01,srv02', 'power off']);
  });

  it('a DR host that does not power on is not waited for; it is still told to power off', async () => {
    const { steps, calls } = fakeSteps({ power: async (s) => { if (s === 'on') throw new Error('its BMC did not report the chassis on within 600 s'); } });
    const out = await runDrCycle(steps, input);
    expect(out).toEqual({ outcome: 'failed', message: 'powering an-a01dr01 on failed: its BMC did not report the chassis on within 600 s' });
    expect(calls).toEqual(['power on', 'power off']);
  });

  it('with no protected server: on and off, nothing to wait for', async () => {
    const { steps, calls } = fakeSteps();
    expect((await runDrCycle(steps, { ...input, resources: [] })).outcome).toBe('succeeded');
    expect(calls).toEqual(['power on', 'power off']);
  });
});

describe('syncLag', () => {
  it.each([
    ['in sync', [status('srv01', 'UpToDate', 'Connected')], []],
    ['missing', [], [{ resource: 'srv01', state: 'not up on the DR host' }]],
    ['syncing', [status('srv01', 'Inconsistent', 'Connected', 'SyncTarget', 40)], [{ resource: 'srv01', state: 'disk Inconsistent (SyncTarget 40% in sync)' }]],
    ['UpToDate but cut off', [status('srv01', 'UpToDate', 'Connecting')], [{ resource: 'srv01', state: 'not connected to a subnode (an-a01n01 Connecting, an-a01n02 Connecting)' }]],
  ])('%s', (_what, resources, lag) => {
    expect(syncLag(parseDrbdStatus(text(...resources)), ['srv01'])).toEqual(lag);
  });
});

describe('dr.sync-wait on the DR host', () => {
  function run(outputs: string[]) {
    const argvs: string[][] = [];
    const runner: CommandRunner = async (argv) => {
      argvs.push([...argv]);
      return { stdout: outputs[Math.min(argvs.length - 1, outputs.length - 1)]!, stderr: '', exitCode: 0 } as Awaited<ReturnType<CommandRunner>>;
    };
    return { runner, argvs };
  }
  const ctx = (payload: HostJobPayload<'dr.sync-wait'>, progress: string[]): HostJobContext<HostJobPayload<'dr.sync-wait'>> => ({
    jobId: 'j', payload, signal: new AbortController().signal, logger: pino({ level: 'silent' }),
    progress: async (_p, message, vars) => { progress.push(message.replace(/\{(\w+)\}/g, (_, k: string) => String(vars?.[k]))); },
    note: async () => undefined, api: async () => { throw new Error('not used'); },
  });
  const payload = { anvilName: 'an-anvil-01', resources: ['srv01', 'srv02'], timeoutSeconds: 60, pollSeconds: 10 };

  it('reads drbdsetup status --json until every resource is UpToDate', async () => {
    let clock = 0;
    const { runner, argvs } = run([
      text(status('srv01', 'UpToDate', 'Connected'), status('srv02', 'Inconsistent', 'Connected', 'SyncTarget', 40)),
      text(status('srv01', 'UpToDate', 'Connected'), status('srv02', 'UpToDate', 'Connected')),
    ]);
    const progress: string[] = [];
    const r = await syncWaitRunner({ run: runner, now: () => clock, sleep: async (ms) => { clock += ms; } })(ctx(payload, progress));
    expect(r).toEqual({ message: 'Every protected resource of an-anvil-01 is UpToDate here (srv01, srv02), after 2 look(s)' });
    expect(argvs).toEqual([['drbdsetup', 'status', '--json'], ['drbdsetup', 'status', '--json']]);
    expect(progress).toEqual(['Waiting for 1 of 2 resources: srv02: disk Inconsistent (SyncTarget 40% in sync)']);
  });

  it('fails at the time limit naming what is not in sync', async () => {
    let clock = 0;
    const { runner, argvs } = run([text(status('srv01', 'UpToDate', 'Connected'), status('srv02', 'Outdated', 'Connecting'))]);
    await expect(syncWaitRunner({ run: runner, now: () => clock, sleep: async (ms) => { clock += ms; } })(ctx(payload, [])))
      .rejects.toThrow('not in sync after 60 s: srv02: disk Outdated');
    expect(argvs).toHaveLength(7);
  });
});
