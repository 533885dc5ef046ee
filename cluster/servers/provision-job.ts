/**
 * `server.create`: Striker's side of provisioning one server (the row exists: allocation happened
 * when it was asked for, see actions.ts). It renders the files, enqueues `server.provision` on
 * node2 and then on node1 (node1's waits for node2's), and follows them, recording each step on
 * the server's row. A retried run finds the host jobs it enqueued on the row and follows them
 * again rather than enqueueing twice.
 *
 * When a host job fails, that host has already rolled back its own share; if the other subnode
 * finished its share, a `remove` run undoes it there. The server ends `provision-failed` at step
 * `rolled-back` with the reason, and the job fails saying what was rolled back.
 */
import { z } from 'zod';
import { addHostJob } from '../../striker/agent/index.js';
import { systemActor } from '../../striker/audit/audit-store.js';
import { StrikerError } from '../../striker/core/errors/index.js';
import type { Database, DbTx } from '../../striker/db/database.js';
import type { Job } from '../../striker/jobs/job.js';
import type { JobKindDefinition } from '../../striker/jobs/job-kind.js';
import { jobsByIds } from '../../striker/jobs/job-store.js';
import { renderMessage } from '../../striker/jobs/job.js';
import { recordRenderedDefinition } from './definition-actions.js';
import { planProvisioning, type ProvisionPayload } from './provision-plan.js';
import type { Server } from './server-record.js';
import type { ServersConfig } from './servers-config.js';
import { getServer, setProvisionHostJobs, updateProvisioning } from './servers-store.js';
import { serverNameSchema } from './server-names.js';

export const serverCreateKind = 'server.create';

const payloadSchema = z.strictObject({ name: serverNameSchema });

export interface ProvisionJobDeps {
  db: Database;
  config: ServersConfig;
  /**
   * The file.fetch jobs each node's share waits for, by host id: the server's ISOs when they are
   * synced files (cluster/files isoFetchWaits), so provisioning starts only once they are ready on both.
   */
  isoWaits?: (t: DbTx, server: Server, hostIds: readonly string[]) => Promise<Map<string, string[]>>;
}

const finished = (j: Job) => j.status === 'succeeded' || j.status === 'failed' || j.status === 'cancelled';
const why = (j: Job) => j.lastError ?? renderMessage(j.message, j.messageVars);

export function serverCreateJobKind(deps: ProvisionJobDeps): JobKindDefinition<typeof payloadSchema> {
  const { db, config } = deps;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  return {
    kind: serverCreateKind,
    title: 'Provision a server on its pair',
    subject: { of: (p) => p.name, title: 'Provision server {subject}' },
    payload: payloadSchema,
    maxAttempts: 3,
    onStale: 'retry',
    async run(ctx) {
      const server = await getServer(db, ctx.payload.name);
      if (server.provisionStep === 'done') {
        ctx.nothingChanged(`${server.name} is provisioned already`);
        return;
      }
      if (server.provisionStep === 'rolled-back') throw new StrikerError('CONFLICT', `provisioning ${server.name} was rolled back; delete the server and create it again`, { retryable: false });
      const plan = planProvisioning(server, config);
      // Version 1 of the server's definition (the nodes report later changes against it).
      await db.tx((t) => recordRenderedDefinition(t, server.name, plan.domainXml));
      await updateProvisioning(db, server.name, { step: server.provisionStep === 'allocated' ? 'rendered' : server.provisionStep, job: ctx.job.id, error: null });
      await ctx.progress(5, 'Rendered the DRBD resource (minor {minor}, port {port}) and the domain of {server}', { server: server.name, minor: server.drbdMinor, port: server.drbdPort });

      const ids = server.provisionHostJobs ?? (await db.tx(async (t) => {
        const isos = await deps.isoWaits?.(t, server, [plan.node1.host.hostId, plan.node2.host.hostId]);
        const node2 = await addHostJob(t, systemActor, { hostId: plan.node2.host.hostId, kind: 'server.provision', payload: plan.node2.payload, waitsFor: isos?.get(plan.node2.host.hostId) ?? [] });
        const node1 = await addHostJob(t, systemActor, { hostId: plan.node1.host.hostId, kind: 'server.provision', payload: plan.node1.payload, waitsFor: [node2.id, ...(isos?.get(plan.node1.host.hostId) ?? [])] });
        const jobs = { node1: node1.id, node2: node2.id };
        await setProvisionHostJobs(t, server.name, jobs);
        return jobs;
      }));
      await ctx.note('Provisioning {server} on {node2}, then {node1}: host jobs {jobs}', { server: server.name, node1: plan.node1.host.name, node2: plan.node2.host.name, jobs: `${ids.node2}, ${ids.node1}` });

      const pollMs = config.pollSeconds * 1000;
      let node2Done = false;
      for (;;) {
        ctx.checkpoint();
        const jobs = await jobsByIds(db, [ids.node2, ids.node1]);
        const n2 = jobs.find((j) => j.id === ids.node2);
        const n1 = jobs.find((j) => j.id === ids.node1);
        if (n2 === undefined || n1 === undefined) throw new StrikerError('NOT_FOUND', `the host jobs of ${server.name} are gone (purged?): ${ids.node2}, ${ids.node1}`, { retryable: false });
        if (n2.status === 'succeeded' && !node2Done) {
          node2Done = true;
          await updateProvisioning(db, server.name, { step: 'node2' });
          await ctx.progress(50, '{server} is ready on {node}', { server: server.name, node: plan.node2.host.name }, { milestone: true });
        }
        if (n1.status === 'succeeded') {
          await updateProvisioning(db, server.name, { step: 'done', state: 'starting', error: null });
          await ctx.progress(99, '{server} is provisioned on both nodes and under pacemaker', { server: server.name });
          return;
        }
        const failed = [n2, n1].find((j) => finished(j) && j.status !== 'succeeded');
        if (failed !== undefined) {
          await rollBack(ctx, server, plan, failed, n2.status === 'succeeded' ? ids : undefined);
        }
        await ctx.progress(n2.status === 'succeeded' ? 50 + Math.floor(n1.progress / 2.1) : Math.floor(n2.progress / 2.1), 'Provisioning {server}: {node2} {p2}%, {node1} {p1}%', {
          server: server.name, node1: plan.node1.host.name, node2: plan.node2.host.name, p1: n1.progress, p2: n2.progress,
        });
        await sleep(pollMs);
      }
    },
  };

  async function rollBack(
    ctx: Parameters<JobKindDefinition['run']>[0],
    server: Server,
    plan: ReturnType<typeof planProvisioning>,
    failed: Job,
    node2Finished: { node1: string; node2: string } | undefined,
  ): Promise<never> {
    const where = failed.targetHost === plan.node1.host.hostId ? plan.node1.host.name : plan.node2.host.name;
    const reason = why(failed);
    const rolledBack = [`${where} (by its own job)`];
    if (node2Finished !== undefined) {
      await ctx.note('Provisioning failed on {node}: {reason}. Removing what {peer} made', { node: where, reason, peer: plan.node2.host.name }, 'warn');
      const payload: ProvisionPayload = { ...plan.node2.payload, action: 'remove' };
      const removal = await db.tx((t) => addHostJob(t, systemActor, { hostId: plan.node2.host.hostId, kind: 'server.provision', payload }));
      for (;;) {
        ctx.checkpoint();
        const [job] = await jobsByIds(db, [removal.id]);
        if (job !== undefined && finished(job)) {
          if (job.status !== 'succeeded') {
            const error = `provisioning failed on ${where}: ${reason}; removing it from ${plan.node2.host.name} failed too: ${why(job)}`;
            await updateProvisioning(db, server.name, { state: 'provision-failed', error });
            throw new StrikerError('COMMAND_FAILED', error, { retryable: false });
          }
          break;
        }
        await sleep(config.pollSeconds * 1000);
      }
      rolledBack.push(plan.node2.host.name);
    }
    const error = `provisioning failed on ${where}: ${reason}; rolled back on ${rolledBack.join(' and ')}`;
    await updateProvisioning(db, server.name, { step: 'rolled-back', state: 'provision-failed', error });
    throw new StrikerError('COMMAND_FAILED', error, { retryable: false });
  }
}
