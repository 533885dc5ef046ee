/**
 * Handing a subnode's agent its join plan. Only the agent of the host a `cluster.join` job is
 * addressed to gets it, and only while that job runs: any other host is refused (403) with an
 * audit row, a job that is not running is a 409. The plan comes from the manifest run that made
 * the job (its secret-free document), the manifest's secrets (node1 only: the fence passwords) and
 * the pair's authkey. Each plan handed out is audited without its content.
 */
import { audit, type Actor } from '../../striker/audit/audit-store.js';
import { ConflictError, NotFoundError, StrikerError } from '../../striker/core/errors/index.js';
import { isUuid } from '../../striker/core/validation/uuid.js';
import type { Database } from '../../striker/db/database.js';
import { getJob } from '../../striker/jobs/job-store.js';
import { hostJobPayloads } from '../../striker/agent/index.js';
import { manifestRunOfJob, openManifestSecrets, type SecretSealer } from '../../striker/manifest/index.js';
import { pairAuthkey } from './pair-authkey.js';
import { planJoin } from './join-plan.js';
import type { JoinPlan } from './join-plan-schema.js';

export interface JoinPlanDeps {
  db: Database;
  keys: SecretSealer;
}

const agentActor = (hostId: string): Actor => ({ userId: null, name: `agent:${hostId}`, role: 'viewer', via: 'token' });

/** The join plan of `jobId` for the agent of `hostId`. */
export async function joinPlanForAgent(deps: JoinPlanDeps, hostId: string, jobId: string, requestId?: string): Promise<JoinPlan> {
  if (!isUuid(jobId)) throw new NotFoundError('job', jobId.slice(0, 64));
  const job = await getJob(deps.db, jobId);
  if (job.kind !== 'cluster.join' || job.targetHost !== hostId) {
    await audit(deps.db, agentActor(hostId), {
      action: 'agent.refused', targetKind: 'host', targetId: hostId,
      details: { refusal: 'other-host-job', route: 'cluster/join-plan', jobId, kind: job.kind, targetHost: job.targetHost }, requestId,
    });
    throw new StrikerError('FORBIDDEN', `job ${jobId} is not a cluster.join job of this host (${hostId})`, { details: { jobId } });
  }
  if (job.status !== 'running') {
    throw new ConflictError(`job ${jobId} is ${job.status}: a join plan is handed out only while its cluster.join job runs`, { jobId, status: job.status });
  }
  const payload = hostJobPayloads['cluster.join'].parse(job.payload);
  const run = await manifestRunOfJob(deps.db, jobId);
  if (run === undefined) throw new ConflictError(`job ${jobId} was not made by a manifest run: nothing says what its pair is`, { jobId });
  const secrets = payload.subnode === 'node1' ? await openManifestSecrets(deps, run.manifestId) : new Map<string, string>();
  const authkey = await pairAuthkey(deps, payload.anvilName);
  const plan = planJoin({ manifest: run.document, subnode: payload.subnode, secrets, authkey });
  await audit(deps.db, agentActor(hostId), {
    action: 'cluster.join-plan', targetKind: 'host', targetId: hostId,
    details: { jobId, anvilName: plan.anvilName, role: plan.role, runId: run.id, fenceDevices: plan.cib?.devices.length ?? 0 }, requestId,
  });
  return plan;
}
