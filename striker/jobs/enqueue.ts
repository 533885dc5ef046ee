/**
 * Creating a job: the kind must be in the catalog and the payload must match its schema;
 * every problem is reported with its path under `payload`.
 */
import { ValidationError } from '../core/errors/index.js';
import type { DbWriter } from '../db/database.js';
import { problemsFromZod } from '../core/validation/zod-problems.js';
import type { Job } from './job.js';
import type { JobCatalog } from './job-kind.js';
import { insertJob } from './job-store.js';

export async function enqueueJob(
  q: DbWriter,
  catalog: JobCatalog,
  request: { kind: string; payload: unknown; targetHost?: string | null; createdBy?: string | null; waitsFor?: readonly string[]; heldReason?: string | null },
): Promise<Job> {
  const def = catalog.get(request.kind);
  if (!def) {
    throw new ValidationError([{ path: 'kind', message: `must be one of ${[...catalog.keys()].join(', ')} — got '${request.kind}'` }], 'job');
  }
  const parsed = def.payload.safeParse(request.payload);
  if (!parsed.success) throw new ValidationError(problemsFromZod(parsed.error, request.payload, 'payload'), `${def.kind} job`);
  return insertJob(q, {
    kind: def.kind,
    payload: parsed.data,
    targetHost: request.targetHost ?? null,
    maxAttempts: def.maxAttempts,
    retryOnStale: def.onStale === 'retry',
    createdBy: request.createdBy ?? null,
    waitsFor: request.waitsFor ?? [],
    heldReason: request.heldReason ?? null,
  });
}
