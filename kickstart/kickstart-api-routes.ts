/**
 * Kickstarts over the API:
 *   GET  /api/machines/:mac/kickstart         operator  the kickstart as it would be served, secrets redacted
 *   POST /api/machines/:mac/kickstart/check   operator  runs the pre-boot check as a `kickstart.check` job
 *   GET  /api/machines/:mac/kickstart/status  viewer    ready, failed, unchecked or incomplete, with the exact problems
 *   GET  /api/settings/kickstart              viewer    shared settings (whether a root password is set, never its hash)
 *   PUT  /api/settings/kickstart              admin     change them (root password hashed), audited
 * The changes are kickstart's actions (actions.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { CommandRunner } from '../striker/core/command/run-command.js';
import type { Database } from '../striker/db/database.js';
import { ConflictError } from '../striker/core/errors/index.js';
import type { JobCatalog } from '../striker/jobs/job-kind.js';
import { machineMacOf } from '../striker/machines/index.js';
import { changeKickstartSettings, requestKickstartCheck } from './actions.js';
import { previewKickstart } from './preboot-check.js';
import { redactString } from './redact.js';
import { loadCheck, statusOf, type KickstartStatus } from './check-store.js';
import { loadHostDraft, type DraftPlace } from './host-drafts.js';
import { loadKickstartSettings, publicSettings, type PublicKickstartSettings } from './settings-store.js';
import type { Job } from '../striker/jobs/job.js';

/** GET /api/machines/:mac/kickstart/status */
export interface KickstartStatusResponse {
  status: KickstartStatus;
}

/** GET and PUT /api/settings/kickstart: the shared settings, whether a root password is set (never its hash). */
export interface KickstartSettingsResponse {
  settings: PublicKickstartSettings;
}

/** POST /api/machines/:mac/kickstart/check: the `kickstart.check` job as stored. */
export interface KickstartCheckResponse {
  job: Job;
}

export interface KickstartApiDeps {
  db: Database;
  catalog: JobCatalog;
  place: DraftPlace;
  run: CommandRunner;
}

/** The preview: previewKickstart's text with the root password hash and token placeholder redacted. */
export function redactedPreview(draft: Parameters<typeof previewKickstart>[0]): string {
  return redactString(previewKickstart(draft));
}

export function kickstartApiRoutes(app: FastifyInstance, deps: KickstartApiDeps): void {
  const { db } = deps;

  app.get<{ Params: { mac: string } }>('/api/machines/:mac/kickstart', { config: { access: 'operator' } }, async (request) => {
    const mac = machineMacOf(request.params.mac);
    const draft = await loadHostDraft(db, mac, deps.place);
    if (!draft.ok) throw new ConflictError(`the kickstart for ${mac} cannot be built yet: ${draft.problems.length} problem(s)`, { problems: draft.problems });
    return { mac, hostId: draft.hostId, kickstart: redactedPreview(draft.draft), status: statusOf(draft, await loadCheck(db, mac)) };
  });

  app.get<{ Params: { mac: string } }>('/api/machines/:mac/kickstart/status', { config: { access: 'viewer' } }, async (request): Promise<KickstartStatusResponse> => {
    const mac = machineMacOf(request.params.mac);
    const draft = await loadHostDraft(db, mac, deps.place);
    return { status: statusOf(draft, await loadCheck(db, mac)) };
  });

  app.post<{ Params: { mac: string } }>('/api/machines/:mac/kickstart/check', { config: { access: 'operator' } }, async (request, reply) => {
    const job = await requestKickstartCheck(db, deps.catalog, request.actor!, request.params.mac, request.body, { requestId: request.id, inputPath: 'body' });
    const answer: KickstartCheckResponse = { job };
    return reply.status(202).send(answer);
  });

  app.get('/api/settings/kickstart', { config: { access: 'viewer' } }, async (): Promise<KickstartSettingsResponse> => ({ settings: publicSettings(await loadKickstartSettings(db)) }));

  app.put('/api/settings/kickstart', { config: { access: 'admin' } }, async (request): Promise<KickstartSettingsResponse> => {
    const saved = await changeKickstartSettings(db, deps.run, request.actor!, request.body, { requestId: request.id, inputPath: 'body' });
    return { settings: publicSettings(saved) };
  });
}
