/**
 * ScanCore's decisions carried out as jobs, each job's reason naming the decision and its reasons:
 *
 * | decision | jobs (each waits for the one before) |
 * |---|---|
 * | migrate-servers | `servers.migrate` on the receiving node |
 * | withdraw-node | `servers.migrate` on the receiving node → `node.withdraw` → `host.poweroff` on the node |
 * | shutdown | `servers.stop` on the first node → `host.poweroff` on each node |
 * | boot-nodes | `scancore.ipmi-boot` (a Striker job) per node → `servers.start` on the first node, with the servers the engine stopped |
 *
 * `servers.migrate`, `servers.stop` and `servers.start` run on a node through the agent's injected
 * runners (cluster/actions/: crm_resource, waiting for the result in crm_mon), and `node.withdraw`
 * through cluster/ops/node-runners.ts; `host.poweroff` runs through the host agent.
 * `scancore.ipmi-boot` is real: `ipmitool -I lanplus … -E chassis power on` with the password in
 * the environment (never argv), then `chassis power status` until the BMC says on.
 *
 * Also the maintenance-mode action (API and CLI): validated, changed and audited together.
 */
import { z } from 'zod';
import { addHostJob } from '../../striker/agent/index.js';
import { audit, systemActor, type Actor } from '../../striker/audit/audit-store.js';
import { parseOrThrow } from '../../striker/core/validation/zod-problems.js';
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import { StrikerError } from '../../striker/core/errors/index.js';
import type { Database, DbTx } from '../../striker/db/database.js';
import { enqueueJob } from '../../striker/jobs/enqueue.js';
import type { JobCatalog, JobKindDefinition } from '../../striker/jobs/job-kind.js';
import { ipmitoolArgv } from './agents/ipmi-agent.js';
import type { Decision } from './decide.js';
import { parseChassisPower } from './parsers/ipmi.js';
import { maintenanceStates, setMaintenance } from './decisions-store.js';
import type { ScancorePair } from './scancore-config.js';
import type { ActOnDecision } from './scancore-service.js';

export const ipmiBootKind = 'scancore.ipmi-boot';

const bootPayload = z.strictObject({
  pairId: z.string().min(1).max(64),
  node: z.string().min(1).max(63),
  decisionId: z.uuid().optional(),
  reason: z.string().max(200).optional(),
});

/** The words a job carries: which decision, and why (cut to the job payloads' 200 characters). */
export function actionReason(decision: Decision, decisionId: string): string {
  return `ScanCore decision ${decisionId}: ${decision.reasons.join('; ')}`.slice(0, 200);
}

/**
 * `scancore.ipmi-boot`: powers a pair's node on through its BMC. The BMC's address and
 * credentials are looked up by pair and node when the job runs, so no secret is in the payload.
 */
export function ipmiBootJobKind(deps: { pairs: () => readonly ScancorePair[] | Promise<readonly ScancorePair[]>; run: CommandRunner; timeoutMs: number; pollMs?: number; attempts?: number }): JobKindDefinition<typeof bootPayload> {
  return {
    kind: ipmiBootKind,
    title: 'Boot a node through its BMC',
    payload: bootPayload,
    maxAttempts: 3,
    onStale: 'retry',
    retryDelaySeconds: () => 30,
    async run(ctx) {
      const pair = (await deps.pairs()).find((p) => p.id === ctx.payload.pairId);
      const node = pair?.nodes.find((n) => n.name === ctx.payload.node);
      if (node === undefined) throw new StrikerError('NOT_FOUND', `pair ${ctx.payload.pairId} has no node ${ctx.payload.node} in scancore.pairs`, { retryable: false });
      const bmc = node.ipmi;
      if (bmc === undefined) throw new StrikerError('CONFIG_INVALID', `node ${node.name} has no BMC in scancore.pairs (ipmi)`, { retryable: false });
      const options = { timeoutMs: deps.timeoutMs, signal: ctx.signal, env: { IPMI_PASSWORD: bmc.password } };
      await ctx.progress(10, 'Powering {node} on through its BMC at {address}', { node: node.name, address: bmc.address });
      await deps.run(ipmitoolArgv(bmc, 'chassis', 'power', 'on'), options);
      for (let i = 0; i < (deps.attempts ?? 10); i++) {
        ctx.checkpoint();
        const state = parseChassisPower((await deps.run(ipmitoolArgv(bmc, 'chassis', 'power', 'status'), options)).stdout);
        if (state === 'on') {
          await ctx.progress(99, 'The BMC of {node} reports the chassis on', { node: node.name });
          return;
        }
        await new Promise((r) => setTimeout(r, deps.pollMs ?? 2000));
      }
      throw new StrikerError('COMMAND_FAILED', `the BMC of ${node.name} did not report the chassis on after power on`);
    },
  };
}

/** Queues the jobs for one decision in one transaction; their ids in order. */
export async function decisionJobs(t: DbTx, catalog: JobCatalog, decision: Decision, pair: ScancorePair, decisionId: string): Promise<string[]> {
  const reason = actionReason(decision, decisionId);
  const hostOf = (name: string): string => {
    const node = pair.nodes.find((n) => n.name === name);
    if (node === undefined) throw new StrikerError('NOT_FOUND', `pair ${pair.id} has no node ${name}`);
    return node.hostId;
  };
  const ids: string[] = [];
  const host = async (hostId: string, kind: string, payload: unknown, waitsFor: readonly string[] = []) => {
    const job = await addHostJob(t, systemActor, { hostId, kind, payload, waitsFor });
    ids.push(job.id);
    return job.id;
  };
  switch (decision.kind) {
    case 'migrate-servers':
      await host(hostOf(decision.to), 'servers.migrate', { servers: decision.servers, to: decision.to, reason });
      break;
    case 'withdraw-node': {
      const moved = decision.servers.length === 0 ? [] : [await host(hostOf(decision.to), 'servers.migrate', { servers: decision.servers, to: decision.to, reason })];
      const withdrawn = await host(hostOf(decision.node), 'node.withdraw', { reason }, moved);
      await host(hostOf(decision.node), 'host.poweroff', { reason }, [withdrawn]);
      break;
    }
    case 'shutdown': {
      const first = decision.nodes[0] ?? pair.nodes[0].name;
      const stopped = await host(hostOf(first), 'servers.stop', { servers: decision.servers, reason });
      for (const n of decision.nodes) await host(hostOf(n), 'host.poweroff', { reason }, [stopped]);
      break;
    }
    case 'boot-nodes': {
      const booted: string[] = [];
      for (const n of decision.nodes) {
        const job = await enqueueJob(t, catalog, { kind: ipmiBootKind, payload: { pairId: pair.id, node: n, decisionId, reason } });
        ids.push(job.id);
        booted.push(job.id);
      }
      // The servers the engine stopped start again once the nodes are on (pacemaker places them).
      const first = decision.nodes[0];
      if (decision.servers.length > 0 && first !== undefined) await host(hostOf(first), 'servers.start', { servers: decision.servers, reason }, booted);
      break;
    }
  }
  return ids;
}

/** The service's `act`: each decision's jobs, queued together. */
export function actOnDecisions(db: Database, catalog: () => JobCatalog): ActOnDecision {
  return (decision, pair, decisionId) => db.tx((t) => decisionJobs(t, catalog(), decision, pair, decisionId));
}

export const maintenanceInputSchema = z.strictObject({
  enabled: z.boolean(),
  /** One pair; every pair ScanCore knows when absent. */
  pair: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be a pair id like an-anvil-01').optional(),
});

/**
 * Turns maintenance mode on or off (one pair, or every pair ScanCore knows), with an audit row.
 * `prefix` is where the input sits in the request (`body` for the API) for the error's field names.
 */
export async function setMaintenanceMode(db: Database, actor: Actor, input: unknown, options: { prefix?: string; requestId?: string } = {}) {
  const m = parseOrThrow(maintenanceInputSchema, input, 'maintenance', options.prefix ?? '');
  const changed = await db.tx(async (t) => {
    const pairs = await setMaintenance(t, m.enabled, m.pair);
    await audit(t, actor, { action: m.enabled ? 'scancore.maintenance.on' : 'scancore.maintenance.off', targetKind: 'scancore', targetId: m.pair ?? '*', details: { pairs }, requestId: options.requestId });
    return pairs;
  });
  return { changed, pairs: await maintenanceStates(db) };
}
