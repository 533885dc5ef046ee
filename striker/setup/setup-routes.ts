/**
 * The Striker identity wizard's API: defaults and the stored identity, server-side validation of
 * each step (every problem at once, paths under `body.`), storing the identity (which creates a
 * `striker.configure` job), and applying it again; those two are the setup actions (actions.ts).
 * It also lists this machine's NICs, so the wizard can tie each network to the ones carrying it.
 */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/database.js';
import { NotFoundError, ValidationError } from '../core/errors/index.js';
import { problemsUnder } from '../core/validation/zod-problems.js';
import { catalogOf, type JobKindDefinition } from '../jobs/job-kind.js';
import { applyIdentity, storeIdentity } from './actions.js';
import { identityDefaults } from './identity-defaults.js';
import { checkStep, identityStepNames, type Identity, type IdentityInput, type IdentityStep } from './identity-schema.js';
import { latestPlan, loadIdentity, type StoredPlan } from './identity-store.js';
import { jobView } from '../jobs/job-routes.js';
import { listHostNics, type HostNic } from './host-nics.js';

/** GET /api/setup/identity: the stored identity (or null), the wizard's defaults, and the latest plan. */
export interface IdentityResponse {
  configured: boolean;
  identity: Identity | null;
  defaults: IdentityInput;
  /** `host.manage`: whether applying changes this machine. */
  manage: boolean;
  plan: StoredPlan | null;
  steps: readonly IdentityStep[];
}

/** GET /api/setup/nics: this machine's physical NICs, to tie each network to the ones that carry it. */
export interface HostNicsResponse {
  nics: HostNic[];
}

export interface SetupIdentityDeps {
  db: Database;
  /** The `striker.configure` kind (jobs are validated against it when created). */
  configureKind: JobKindDefinition;
  /** `host.manage`, shown so the UI can say whether applying changes this machine. */
  manage: boolean;
  /** This machine's NICs (default: read from /sys/class/net). */
  listNics?: () => Promise<HostNic[]>;
}

export function setupIdentityRoutes(app: FastifyInstance, deps: SetupIdentityDeps): void {
  const catalog = catalogOf([deps.configureKind]);
  const title = deps.configureKind.title;

  app.get('/api/setup/identity', { config: { access: 'viewer' } }, async (): Promise<IdentityResponse> => {
    const stored = await loadIdentity(deps.db);
    const plan = await latestPlan(deps.db);
    return {
      configured: stored !== undefined,
      identity: stored?.identity ?? null,
      defaults: identityDefaults(),
      manage: deps.manage,
      plan: plan ?? null,
      steps: identityStepNames,
    };
  });

  app.get('/api/setup/nics', { config: { access: 'admin' } }, async (): Promise<HostNicsResponse> => ({ nics: await (deps.listNics ?? listHostNics)() }));

  app.post<{ Params: { step: string } }>('/api/setup/identity/steps/:step', { config: { access: 'admin' } }, async (request) => {
    const step = request.params.step;
    if (!identityStepNames.includes(step as IdentityStep)) throw new NotFoundError('wizard step', step);
    const checked = checkStep(step as IdentityStep, request.body ?? {});
    if (!checked.ok) throw new ValidationError(problemsUnder('body', checked.problems), `the ${step} step`);
    return { ok: true, value: checked.value };
  });

  app.put('/api/setup/identity', { config: { access: 'admin' } }, async (request, reply) => {
    const { identity, job } = await storeIdentity(deps.db, catalog, request.actor!, request.body, { requestId: request.id, inputPath: 'body' });
    return reply.status(201).send({ identity, job: jobView(job, title) });
  });

  app.post('/api/setup/identity/apply', { config: { access: 'admin' } }, async (request, reply) => {
    const job = await applyIdentity(deps.db, catalog, request.actor!, { requestId: request.id });
    return reply.status(202).send({ job: jobView(job, title) });
  });
}
