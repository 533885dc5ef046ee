/**
 * The jobs actions, each once for the API and the CLI: the change and its audit row in one
 * transaction. Cancelling a job.
 */
import { audit, type ActionOptions, type Actor } from '../audit/audit-store.js';
import { NotFoundError } from '../core/errors/index.js';
import { isUuid } from '../core/validation/uuid.js';
import type { Database } from '../db/database.js';
import type { Job } from './job.js';
import { requestCancel } from './job-store.js';

/** Cancels a queued or interrupted job at once; asks a running one to stop (its runner sees the flag). */
export async function cancelJob(db: Database, actor: Actor, id: string, options: ActionOptions = {}): Promise<Job> {
  if (!isUuid(id)) throw new NotFoundError('job', id);
  return db.tx(async (t) => {
    const job = await requestCancel(t, id);
    await audit(t, actor, { action: 'job.cancel', targetKind: 'job', targetId: job.id, details: { kind: job.kind }, requestId: options.requestId });
    return job;
  });
}
