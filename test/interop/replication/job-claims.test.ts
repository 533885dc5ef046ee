/**
 * Where a job's claim lives: two Strikers' databases replicating both ways, a real Striker job
 * runner on each, 1,000 jobs enqueued (half through each Striker). Every job is seen in both
 * databases, yet each runs exactly once, on the Striker that owns it (the one it was enqueued on).
 * Without the owner rule both runners would claim every job (each database grants its own claims).
 *
 * A host's jobs have one claimant, the host's agent, which may claim through either Striker: with
 * each host's agent talking to one Striker and jobs enqueued through both, each host job also runs
 * exactly once, woken by the job's arrival from the peer (the job feed, part of jobs' ENABLE ALWAYS
 * history trigger, fires for applied changes: migration 0038).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { catalogOf, defineJobKind } from '../../../striker/jobs/job-kind.js';
import { enqueueJob } from '../../../striker/jobs/enqueue.js';
import { JobRunner } from '../../../striker/jobs/job-runner.js';
import { converged, joinMesh, replicationLogger, startPeer, type Peer } from '../../support/replication-peers.js';
import { createTestApp, type TestApp } from '../../support/test-app.js';
import { JobEvents } from '../../../striker/events/job-events.js';
import { systemActor } from '../../../striker/audit/audit-store.js';
import { enqueueHostJob } from '../../../striker/agent/actions.js';
import { agentArea } from '../../../striker/agent/agent-area.js';
import { agentConfigSchema } from '../../../striker/agent/agent-config.js';
import { AgentRuntime } from '../../../striker/agent/agent-runtime.js';
import type { CommandRunner } from '../../../striker/core/command/run-command.js';

let a: Peer;
let b: Peer;
const runners: JobRunner[] = [];
/** job id → the Strikers that ran it, in order. */
const runs = new Map<string, string[]>();

function catalogFor(striker: string) {
  return catalogOf([
    defineJobKind({
      kind: 'test.count',
      title: 'Counts its runs',
      payload: z.strictObject({ n: z.number().int() }),
      maxAttempts: 1,
      onStale: 'fail',
      async run(ctx) {
        runs.set(ctx.job.id, [...(runs.get(ctx.job.id) ?? []), striker]);
        await ctx.progress(50, 'Counted');
      },
    }),
  ]);
}

beforeAll(async () => {
  [a, b] = await Promise.all([startPeer('striker_a'), startPeer('striker_b')]);
  await joinMesh([a, b]);
});
const agents: AgentRuntime[] = [];
const apps: TestApp[] = [];
const listeners: JobEvents[] = [];

afterAll(async () => {
  for (const agent of agents) await agent.stop(5000);
  for (const app of apps) await app.app.close();
  for (const l of listeners) await l.close();
  for (const r of runners) await r.stop(5000);
  await Promise.all([a?.remove(), b?.remove()]);
});

describe('job claims across replicated Strikers', () => {
  it('runs each of 1,000 jobs exactly once, on the Striker that owns it', async () => {
    for (const peer of [a, b]) {
      const runner = new JobRunner({
        db: peer.db,
        catalog: catalogFor(peer.name),
        logger: replicationLogger,
        host: 'shared-host',
        workers: 4,
        pollSeconds: 0.05,
        heartbeatSeconds: 1,
        staleAfterSeconds: 30,
      });
      runners.push(runner);
      await runner.start();
    }
    const enqueued = new Map<string, string>();
    for (let n = 0; n < 1000; n++) {
      const peer = n % 2 === 0 ? a : b;
      const job = await enqueueJob(peer.db, catalogFor(peer.name), { kind: 'test.count', payload: { n } });
      enqueued.set(job.id, peer.name);
    }
    const done = await converged(
      [a, b],
      async (db) => (await db.query<{ status: string; n: number }>("SELECT status, count(*)::int AS n FROM jobs WHERE kind = 'test.count' GROUP BY status ORDER BY status")).rows,
      120_000,
      (rows) => rows.length === 1 && rows[0]!.status === 'succeeded' && rows[0]!.n === 1000,
    );
    expect(done).toEqual([{ status: 'succeeded', n: 1000 }]);

    expect(runs.size).toBe(1000);
    const twice = [...runs].filter(([, by]) => by.length !== 1);
    expect(twice, 'jobs run more than once').toEqual([]);
    const elsewhere = [...runs].filter(([id, by]) => by[0] !== enqueued.get(id));
    expect(elsewhere, 'jobs run by a Striker that did not own them').toEqual([]);
    // Each Striker stamped its own jobs, and the stamp replicated unchanged.
    for (const peer of [a, b]) {
      const owners = (await peer.db.query<{ owner_node: string; n: number }>("SELECT owner_node, count(*)::int AS n FROM jobs WHERE kind = 'test.count' GROUP BY owner_node ORDER BY owner_node")).rows;
      expect(owners).toEqual([{ owner_node: 'striker_a', n: 500 }, { owner_node: 'striker_b', n: 500 }]);
    }
  }, 180_000);

  it("runs each of 1,000 host jobs exactly once, each host's agent talking to one Striker and jobs enqueued through both", async () => {
    const urls = new Map<Peer, string>();
    const areas = new Map<Peer, ReturnType<typeof agentArea>>();
    for (const peer of [a, b]) {
      const events = new JobEvents(peer.db, replicationLogger);
      await events.start();
      listeners.push(events);
      const area = agentArea({ db: peer.db, logger: replicationLogger, inventoryMaxBytes: 65536 });
      const app = await createTestApp(
        { agentCredentials: area.credentialCheck, events, plugins: [(app) => area.plugin(app, events)] },
        { db: peer.db, url: peer.url, name: peer.name, drop: async () => {} },
      );
      await app.app.listen({ host: '127.0.0.1', port: 0 });
      apps.push(app);
      areas.set(peer, area);
      urls.set(peer, `http://127.0.0.1:${(app.app.server.address() as { port: number }).port}`);
    }
    // Host 1 registers through A and its agent talks to B; host 2 the other way round.
    const hosts = [
      { hostId: '52-54-00-00-0c-01', registeredOn: a, talksTo: b, other: a },
      { hostId: '52-54-00-00-0c-02', registeredOn: b, talksTo: a, other: b },
    ];
    const poweroffs = new Map<string, number>();
    for (const host of hosts) {
      const issued = await host.registeredOn.db.tx((tx) => areas.get(host.registeredOn)!.onRegistered(tx, host.hostId, '127.0.0.1'));
      await converged([a, b], async (db) => (await db.query('SELECT 1 FROM agent_credentials WHERE host_id = $1 AND revoked_at IS NULL', [host.hostId])).rowCount, 30_000, (n) => n === 1);
      const run: CommandRunner = async (argv) => {
        if (argv[1] === 'poweroff') poweroffs.set(host.hostId, (poweroffs.get(host.hostId) ?? 0) + 1);
        return { argv, exitCode: 0, stdout: '', stderr: '', durationMs: 0 };
      };
      const agent = new AgentRuntime({
        config: agentConfigSchema.parse({ strikerUrls: [urls.get(host.talksTo)!, urls.get(host.other)!], hostId: host.hostId, allowPowerActions: true, workers: 4 }),
        credentials: issued,
        version: 'test',
        logger: replicationLogger,
        run,
        collectInventory: async () => ({ systemUuid: null, hostName: host.hostId, cpu: { model: 'x', count: 1 }, memoryBytes: 1, disks: [], nics: [] }),
      });
      agents.push(agent);
      await agent.start();
    }
    for (let n = 0; n < 1000; n++) {
      const host = hosts[n % 2]!;
      const through = Math.floor(n / 2) % 2 === 0 ? a : b;
      await enqueueHostJob(through.db, systemActor, { hostId: host.hostId, kind: 'host.poweroff', payload: {} });
    }
    const done = await converged(
      [a, b],
      async (db) => (await db.query<{ status: string; attempts: number; n: number }>(
        "SELECT status, attempts, count(*)::int AS n FROM jobs WHERE kind = 'host.poweroff' GROUP BY status, attempts ORDER BY status, attempts")).rows,
      240_000,
      (rows) => rows.length === 1 && rows[0]!.status === 'succeeded' && rows[0]!.n === 1000,
    );
    expect(done).toEqual([{ status: 'succeeded', attempts: 1, n: 1000 }]);
    expect(Object.fromEntries(poweroffs)).toEqual({ [hosts[0]!.hostId]: 500, [hosts[1]!.hostId]: 500 });
    expect(agents.map((agent) => agent.state().strikerUrl)).toEqual(hosts.map((h) => urls.get(h.talksTo)));
  }, 300_000);
});
