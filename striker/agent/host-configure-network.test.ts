/**
 * `host.configure-network`, `cluster.join` and `dr.link` through the real agent runtime and agent
 * API on loopback: the network plan is written only when the agent manages its host, otherwise the
 * job says honestly that it was not applied; a kind whose runner the app injects is claimed only by
 * an agent given that runner; held kinds are never claimed.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../audit/audit-store.js';
import type { CommandRunner } from '../core/command/run-command.js';
import { ValidationError } from '../core/errors/index.js';
import { JobEvents } from '../events/job-events.js';
import { getJob, jobMessages } from '../jobs/job-store.js';
import { renderMessage } from '../jobs/job.js';
import { systemHostApplier } from '../setup/index.js';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';
import { createTestDatabase, quietLogger } from '../../test/support/test-database.js';
import { addHostJob, enqueueHostJob } from './actions.js';
import { agentArea } from './agent-area.js';
import { agentConfigSchema } from './agent-config.js';
import { AgentRuntime } from './agent-runtime.js';
import { agentRunKinds, hostJobPayloads, type HostJobPayload } from './host-job-kinds.js';
import type { Inventory } from './inventory-schema.js';
import { hostNetworkPlan, type InjectedHostJobRunners } from './host-jobs.js';

const hostId = '52-54-00-00-0c-01';
let t: TestApp;
let events: JobEvents;
let url: string;
let root: string;
const ran: string[] = [];

const inventory: Inventory = { systemUuid: null, hostName: 'h', cpu: { model: 'x', count: 1 }, memoryBytes: 1, disks: [], nics: [] };
const run: CommandRunner = async (argv) => {
  ran.push(argv.join(' '));
  return { argv, exitCode: 0, stdout: '', stderr: '', durationMs: 0 };
};

const networkPayload: HostJobPayload<'host.configure-network'> = {
  hostName: 'an-a01n01',
  domain: 'example.lan',
  dns: ['10.255.0.1'],
  networks: [
    { key: 'bcn1', address: '10.201.10.1', prefixLength: 16, mtu: 1500, macs: ['52:54:00:00:0c:01', '52:54:00:00:0c:02'] },
    { key: 'sn1', address: '10.101.10.1', prefixLength: 16, mtu: 9000, macs: ['52:54:00:00:0c:03'] },
    { key: 'ifn1', address: '10.255.10.1', prefixLength: 16, gateway: '10.255.0.1', mtu: 1500, macs: ['52:54:00:00:0c:04', '52:54:00:00:0c:05'] },
  ],
};

async function withAgent<T>(manageHost: boolean, body: () => Promise<T>, injectedRunners?: InjectedHostJobRunners): Promise<T> {
  const area = agentArea({ db: t.t.db, logger: quietLogger, inventoryMaxBytes: 65536 });
  const issued = await t.t.db.tx((tx) => area.onRegistered(tx, hostId, '127.0.0.1'));
  const config = agentConfigSchema.parse({ strikerUrls: [url], hostId, manageHost, heartbeatSeconds: 1 });
  const agent = new AgentRuntime({ config, credentials: issued, version: 'test', logger: quietLogger, run, collectInventory: async () => inventory, applier: systemHostApplier(run, root), ...(injectedRunners ? { injectedRunners } : {}) });
  await agent.start();
  try {
    return await body();
  } finally {
    await agent.stop(2000);
  }
}

async function settled(id: string) {
  for (;;) {
    const job = await getJob(t.t.db, id);
    if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  const database = await createTestDatabase();
  events = new JobEvents(database.db, quietLogger);
  await events.start();
  const area = agentArea({ db: database.db, logger: quietLogger, inventoryMaxBytes: 65536 });
  t = await createTestApp({ agentCredentials: area.credentialCheck, events, plugins: [(app) => area.plugin(app, events)] }, database);
  await database.db.tx((tx) => area.onRegistered(tx, hostId, '127.0.0.1'));
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  root = await mkdtemp(join(tmpdir(), 'striker-host-net-'));
});

afterAll(async () => {
  await events.close();
  await t.close();
  await rm(root, { recursive: true, force: true });
});

describe('host.configure-network', () => {
  it('with host management off: succeeds saying it was recorded, not applied; nothing written, nothing run', async () => {
    ran.length = 0;
    const job = await enqueueHostJob(t.t.db, systemActor, { hostId, kind: 'host.configure-network', payload: networkPayload });
    const done = await withAgent(false, () => settled(job.id));
    expect(done.status).toBe('succeeded');
    expect(done.noChange).toBe('recorded, not applied: host management is off');
    expect(renderMessage(done.message, done.messageVars)).toBe('Nothing changed: recorded, not applied: host management is off');
    const messages = await jobMessages(t.t.db, job.id);
    const texts = messages.map((m) => m.message);
    const lines = messages.map((m) => renderMessage(m.message, m.vars));
    // Every step line in the job history says plainly that it was planned and not applied.
    expect(lines).toContain('Planned, not applied (host management is off): write /etc/hostname (host name)');
    expect(lines).toContain('Planned, not applied (host management is off): run nmcli connection reload (make NetworkManager read the keyfiles)');
    const steps = messages.filter((m) => m.vars.why !== undefined).map((m) => m.message);
    // The history keeps every step of the plan, not only each new template or 10 % step.
    const plan = hostNetworkPlan(networkPayload);
    expect(steps.length).toBe(plan.files.length + plan.commands.length);
    for (const step of steps) expect(step).toMatch(/^Planned, not applied \(host management is off\): (write|run) /);
    expect(lines.join('\n')).not.toMatch(/[Ww]ould |Wrote |Ran /);
    expect(texts).toContain('recorded, not applied: host management is off; set manageHost to true in agent.json to apply');
    expect(ran).toEqual([]);
    await expect(stat(join(root, 'etc/hostname'))).rejects.toThrow(/ENOENT/);
  });

  it('with host management on: writes a bond per network (NICs by MAC), bridges on BCN and IFN, then reloads NetworkManager', async () => {
    ran.length = 0;
    const job = await enqueueHostJob(t.t.db, systemActor, { hostId, kind: 'host.configure-network', payload: networkPayload });
    const done = await withAgent(true, () => settled(job.id));
    expect(done.status).toBe('succeeded');
    expect(done.message).toMatch(/^Applied \d+ files and 5 commands$/);
    expect(done.noChange).toBeNull();
    const steps = (await jobMessages(t.t.db, job.id)).filter((m) => m.vars.why !== undefined).map((m) => m.message);
    for (const step of steps) expect(step).toMatch(/^(Wrote|Ran) /);
    const dir = join(root, 'etc/NetworkManager/system-connections');
    expect(await readFile(join(root, 'etc/hostname'), 'utf8')).toBe('an-a01n01.example.lan\n');
    const link = await readFile(join(dir, 'bcn1_link2.nmconnection'), 'utf8');
    expect(link).toContain('mac-address=52:54:00:00:0C:02');
    expect(link).toContain('master=bcn1_bond1');
    expect(link).not.toContain('interface-name=');
    expect((await stat(join(dir, 'bcn1_link2.nmconnection'))).mode & 0o777).toBe(0o600);
    const sn = await readFile(join(dir, 'sn1_bond1.nmconnection'), 'utf8');
    expect(sn).toContain('mtu=9000');
    expect(sn).toContain('address1=10.101.10.1/16\nnever-default=true');
    const ifn = await readFile(join(dir, 'ifn1_bridge1.nmconnection'), 'utf8');
    expect(ifn).toContain('address1=10.255.10.1/16,10.255.0.1\ndns=10.255.0.1;\ndns-search=example.lan;');
    await expect(stat(join(dir, 'sn1_bridge1.nmconnection'))).rejects.toThrow(/ENOENT/);
    expect(ran).toEqual([
      'hostnamectl set-hostname an-a01n01.example.lan',
      'nmcli connection reload',
      'nmcli connection up bcn1_bridge1',
      'nmcli connection up sn1_bond1',
      'nmcli connection up ifn1_bridge1',
    ]);
  });

  it('refuses a payload with every problem listed: a gateway off the IFN, a NIC on two links, a secret', () => {
    const bad = {
      ...networkPayload,
      password: 'hunter2',
      networks: [
        { ...networkPayload.networks[0]!, gateway: '10.201.0.1' },
        { ...networkPayload.networks[1]!, macs: ['52:54:00:00:0c:01'] },
      ],
    };
    const parsed = hostJobPayloads['host.configure-network'].safeParse(bad);
    expect(parsed.success).toBe(false);
    const messages = parsed.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).toEqual(expect.arrayContaining([expect.stringContaining('password')]));
    // Object-level refinements run once the shape is right: the same payload without the unknown key.
    const { password: _ignored, ...rest } = bad;
    const second = hostJobPayloads['host.configure-network'].safeParse(rest);
    expect(second.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'networks.0.gateway: only an IFN has a gateway — bcn1 has 10.201.0.1',
      'networks.1.macs.0: NIC 52:54:00:00:0c:01 is already a link of bcn1',
    ]);
  });
});

describe('cluster.join and dr.link', () => {
  const joinPayload: HostJobPayload<'cluster.join'> = {
    anvilName: 'an-anvil-01',
    hostName: 'an-a01n01',
    subnode: 'node1',
    addresses: { bcn1: '10.201.10.1', sn1: '10.101.10.1' },
    peer: { hostName: 'an-a01n02', addresses: { bcn1: '10.201.10.2', sn1: '10.101.10.2' } },
  };
  const drPayload: HostJobPayload<'dr.link'> = {
    anvilName: 'an-anvil-01',
    hostName: 'an-a01dr01',
    addresses: { bcn1: '10.201.10.3' },
    nodes: [{ hostName: 'an-a01n01', addresses: { bcn1: '10.201.10.1' } }, { hostName: 'an-a01n02', addresses: { bcn1: '10.201.10.2' } }],
  };

  it('cluster.join and dr.link wait for the network job and are claimed only by an agent given their runners', async () => {
    expect(agentRunKinds).not.toContain('cluster.join');
    expect(agentRunKinds).not.toContain('dr.link');
    const [net, joinJob, drJob] = await t.t.db.tx(async (tx) => {
      const n = await addHostJob(tx, systemActor, { hostId, kind: 'host.configure-network', payload: networkPayload });
      const j = await addHostJob(tx, systemActor, { hostId, kind: 'cluster.join', payload: joinPayload, waitsFor: [n.id] });
      const d = await addHostJob(tx, systemActor, { hostId, kind: 'dr.link', payload: drPayload, waitsFor: [n.id] });
      return [n, j, d] as const;
    });
    expect(joinJob.heldReason).toBeNull();
    expect(joinJob.message).toBe('Waiting for 1 job to succeed');
    expect(drJob.heldReason).toBeNull();
    expect(drJob.message).toBe('Waiting for 1 job to succeed');
    // An agent without the injected runner: the network job runs, the join is left for another agent.
    const done = await withAgent(false, async () => {
      const d = await settled(net.id);
      // The agent is still claiming; give it several long-poll wake-ups (the network job's success is one).
      await new Promise((r) => setTimeout(r, 500));
      return d;
    });
    expect(done.status).toBe('succeeded');
    const waiting = await getJob(t.t.db, joinJob.id);
    expect(waiting.status).toBe('queued');
    expect(waiting.attempts).toBe(0);
    expect((await getJob(t.t.db, drJob.id)).status).toBe('queued');
    // An agent given the runners claims and runs both, each with its validated payload.
    const seen: unknown[] = [];
    const joined = await withAgent(false, async () => { await settled(drJob.id); return settled(joinJob.id); }, {
      'cluster.join': async (ctx) => {
        seen.push(ctx.payload);
        await ctx.progress(50, 'Joining {anvilName}', { anvilName: ctx.payload.anvilName });
        return { noChange: 'already a member of an-anvil-01' };
      },
      'dr.link': async (ctx) => {
        seen.push(ctx.payload);
        return { message: 'linked' };
      },
    });
    expect(joined.status).toBe('succeeded');
    expect(joined.noChange).toBe('already a member of an-anvil-01');
    expect(seen).toEqual(expect.arrayContaining([joinPayload, drPayload]));
    expect(seen).toHaveLength(2);
    expect((await getJob(t.t.db, drJob.id)).status).toBe('succeeded');
  });

  it('validate their payloads: names, addresses per network, no secret', async () => {
    const error = await enqueueHostJob(t.t.db, systemActor, {
      hostId,
      kind: 'dr.link',
      payload: { anvilName: 'An Anvil', hostName: 'an-a01dr01', addresses: { bcn1: '10.201.10.300', wan: '1.2.3.4' }, nodes: [{ hostName: 'an-a01n01', addresses: { bcn1: '10.201.10.1' } }], clusterPassword: 'x' },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const paths = (error as ValidationError).problems.map((p) => p.path).sort();
    expect(paths).toEqual(expect.arrayContaining(['payload.anvilName', 'payload.addresses.bcn1', 'payload.clusterPassword']));
    expect(paths.some((p) => p.startsWith('payload.nodes'))).toBe(true);
    expect(paths.some((p) => p.startsWith('payload.addresses') && p !== 'payload.addresses.bcn1')).toBe(true);
  });
});
