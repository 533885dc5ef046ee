/**
 * Kickstarts over the API:
 *   GET  /api/machines/:mac/kickstart         operator  the kickstart as it would be served, secrets redacted
 *   POST /api/machines/:mac/kickstart/check   operator  runs the pre-boot check as a `kickstart.check` job
 *   GET  /api/machines/:mac/kickstart/status  viewer    ready, failed, unchecked or incomplete, with the exact problems
 *   GET  /api/settings/kickstart              viewer    shared settings (whether a root password is set, never its hash)
 *   PUT  /api/settings/kickstart              admin     change them (root password hashed here), audited
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseBody } from '../striker/http/body.js';
import { audit } from '../striker/audit/audit-store.js';
import type { CommandRunner } from '../striker/core/command/run-command.js';
import type { Database } from '../striker/db/database.js';
import { ConflictError, NotFoundError } from '../striker/core/errors/index.js';
import { enqueueJob } from '../striker/jobs/enqueue.js';
import type { JobCatalog } from '../striker/jobs/job-kind.js';
import type { Job } from '../striker/jobs/job.js';
import { getMachine, macSchema } from '../striker/machines/index.js';
import { previewKickstart } from './preboot-check.js';
import { redactString } from './redact.js';
import { loadCheck, statusOf, type KickstartStatus } from './check-store.js';
import { loadHostDraft, type DraftPlace } from './host-drafts.js';
import { changeKickstartSettings, loadKickstartSettings, parseSettingsChange, publicSettings } from './settings-store.js';

export interface KickstartApiDeps {
  db: Database;
  catalog: JobCatalog;
  place: DraftPlace;
  run: CommandRunner;
}

/** GET /api/machines/:mac/kickstart/status */
export interface KickstartStatusResponse {
  status: KickstartStatus;
}

/** POST /api/machines/:mac/kickstart/check: the `kickstart.check` job as stored. */
export interface KickstartCheckResponse {
  job: Job;
}

const checkBody = z.strictObject({ engine: z.enum(['auto', 'dnf', 'resolver']).optional() });

function macParam(raw: string): string {
  const r = macSchema.safeParse(raw);
  if (!r.success) throw new NotFoundError('machine', raw.slice(0, 80));
  return r.data;
}

/** The preview: previewKickstart's text with the root password hash and token placeholder redacted. */
export function redactedPreview(draft: Parameters<typeof previewKickstart>[0]): string {
  return redactString(previewKickstart(draft));
}

export function kickstartApiRoutes(app: FastifyInstance, deps: KickstartApiDeps): void {
  const { db } = deps;

  app.get<{ Params: { mac: string } }>('/api/machines/:mac/kickstart', { config: { access: 'operator' } }, async (request) => {
    const mac = macParam(request.params.mac);
    const draft = await loadHostDraft(db, mac, deps.place);
    if (!draft.ok) throw new ConflictError(`the kickstart for ${mac} cannot be built yet: ${draft.problems.length} problem(s)`, { problems: draft.problems });
    return { mac, hostId: draft.hostId, kickstart: redactedPreview(draft.draft), status: statusOf(draft, await loadCheck(db, mac)) };
  });

  app.get<{ Params: { mac: string } }>('/api/machines/:mac/kickstart/status', { config: { access: 'viewer' } }, async (request): Promise<KickstartStatusResponse> => {
    const mac = macParam(request.params.mac);
    const draft = await loadHostDraft(db, mac, deps.place);
    return { status: statusOf(draft, await loadCheck(db, mac)) };
  });

  app.post<{ Params: { mac: string } }>('/api/machines/:mac/kickstart/check', { config: { access: 'operator' } }, async (request, reply) => {
    const mac = macParam(request.params.mac);
    const body = request.body === undefined || request.body === null ? {} : parseBody(checkBody, request.body);
    await getMachine(db, mac);
    const job = await db.tx(async (q) => {
      const j = await enqueueJob(q, deps.catalog, { kind: 'kickstart.check', payload: { mac, ...body }, createdBy: request.actor!.userId });
      await audit(q, request.actor!, { action: 'kickstart.check', targetKind: 'machine', targetId: mac, details: { jobId: j.id, ...body }, requestId: request.id });
      return j;
    });
    const answer: KickstartCheckResponse = { job };
    return reply.status(202).send(answer);
  });

  app.get('/api/settings/kickstart', { config: { access: 'viewer' } }, async () => ({ settings: publicSettings(await loadKickstartSettings(db)) }));

  app.put('/api/settings/kickstart', { config: { access: 'admin' } }, async (request) => {
    const change = parseSettingsChange(request.body);
    const saved = await changeKickstartSettings(db, deps.run, request.actor!, change, request.id);
    return { settings: publicSettings(saved) };
  });
}
