/**
 * The setup actions: storing the Striker's identity and applying it again. Each validates, makes
 * its change (the identity and a `striker.configure` job) and writes its audit row in one
 * transaction.
 */
import { audit, type ActionOptions, type Actor } from '../audit/audit-store.js';
import { NotFoundError, ValidationError } from '../core/errors/index.js';
import { problemsUnder } from '../core/validation/zod-problems.js';
import type { Database } from '../db/database.js';
import { enqueueJob } from '../jobs/enqueue.js';
import type { Job } from '../jobs/job.js';
import type { JobCatalog } from '../jobs/job-kind.js';
import { CONFIGURE_KIND } from './configure-job.js';
import { checkIdentity, type Identity } from './identity-schema.js';
import { loadIdentity, saveIdentity } from './identity-store.js';

/** Stores the identity (every problem at once) and enqueues the job that applies it. */
export async function storeIdentity(db: Database, catalog: JobCatalog, actor: Actor, input: unknown, options: ActionOptions = {}): Promise<{ identity: Identity; job: Job }> {
  const checked = checkIdentity(input ?? {});
  if (!checked.ok) throw new ValidationError(problemsUnder(options.inputPath ?? '', checked.problems), 'the Striker identity');
  const identity = checked.value;
  return db.tx(async (t) => {
    const identityId = await saveIdentity(t, identity, actor.userId);
    const job = await enqueueJob(t, catalog, { kind: CONFIGURE_KIND, payload: { identityId }, createdBy: actor.userId });
    await audit(t, actor, { action: 'striker.identity.save', targetKind: 'striker_identity', targetId: identityId, details: { hostName: identity.hostName, jobId: job.id }, requestId: options.requestId });
    return { identity, job };
  });
}

/** Enqueues the job that applies the stored identity again. */
export async function applyIdentity(db: Database, catalog: JobCatalog, actor: Actor, options: ActionOptions = {}): Promise<Job> {
  return db.tx(async (t) => {
    const stored = await loadIdentity(t);
    if (!stored) throw new NotFoundError('Striker identity', 'current');
    const job = await enqueueJob(t, catalog, { kind: CONFIGURE_KIND, payload: { identityId: stored.id }, createdBy: actor.userId });
    await audit(t, actor, { action: 'striker.identity.apply', targetKind: 'striker_identity', targetId: stored.id, details: { jobId: job.id }, requestId: options.requestId });
    return job;
  });
}
