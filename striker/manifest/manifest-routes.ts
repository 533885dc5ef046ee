/**
 * The manifest API. Reads for viewers, changes for operators; a secret is never in an answer
 * (only `{ set }`). A manifest that has problems is refused with 400 listing every problem under
 * the document's own key paths (details.problems) and nothing is stored.
 *
 *   GET    /api/manifests                 the stored manifests (id, name, sequence, description)
 *   POST   /api/manifests                 create (JSON body: the manifest)
 *   GET    /api/manifests/:id             one manifest, secrets as { set }
 *   PUT    /api/manifests/:id             replace; { set: true } keeps a stored secret
 *   DELETE /api/manifests/:id             delete it and its secrets
 *   POST   /api/manifests/validate        { ok, problems } for a whole document or, with
 *                                         ?step=pair|networks|hosts|fencing|power, one wizard step;
 *                                         ?id= names the stored manifest being edited
 *   GET    /api/manifests/:id/export      YAML
 *   POST   /api/manifests/import          YAML body: create, or replace the manifest of the same pair
 *   GET    /api/manifests/:id/plan        names, addresses, fence topology and UPS mapping
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseQuery } from '../http/body.js';
import { isUuid } from '../core/validation/uuid.js';
import { applyManifest, checkManifest, createManifest, removeManifest, replaceManifest, type ManifestDeps, type ManifestProblems } from './actions.js';
import type { ManifestView } from './manifest-schema.js';
import { getManifest, listManifests, type ManifestRow } from './manifest-store.js';
import { manifestPlan, type ManifestPlan } from './manifest-plan.js';
import { MAX_MANIFEST_BYTES, parseManifestYaml, stringifyManifestYaml } from './manifest-yaml.js';
import { manifestSteps } from './validate-manifest.js';

/** One stored manifest as the API shows it. */
export interface ManifestResource {
  id: string;
  name: string;
  sequence: number;
  createdAt: string;
  modifiedAt: string;
  document: ManifestView;
}

/** GET /api/manifests */
export interface ManifestListResponse {
  manifests: { id: string; name: string; sequence: number; description: string | null; modifiedAt: string }[];
}

/** GET, POST, PUT /api/manifests[/:id]; POST /api/manifests/import adds `created`. */
export interface ManifestResponse {
  manifest: ManifestResource;
}

/** POST /api/manifests/validate */
export type ManifestValidationResponse = ManifestProblems;

/** GET /api/manifests/:id/plan */
export interface ManifestPlanResponse {
  id: string;
  plan: ManifestPlan;
}

const validateQuery = z.strictObject({
  step: z.enum(manifestSteps, { error: `must be one of ${manifestSteps.join(', ')}` }).optional(),
  id: z.string().refine(isUuid, 'must be a manifest id (a uuid)').optional(),
});

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'text/plain'];

function resource(row: ManifestRow): ManifestResource {
  return { id: row.id, name: row.name, sequence: row.sequence, createdAt: row.createdAt.toISOString(), modifiedAt: row.modifiedAt.toISOString(), document: row.document };
}

export async function manifestRoutes(app: FastifyInstance, deps: ManifestDeps): Promise<void> {
  await app.register(async (scope) => {
    // YAML bodies (the import) arrive as text and are read by manifest-yaml.ts.
    scope.addContentTypeParser(YAML_TYPES, { parseAs: 'string', bodyLimit: MAX_MANIFEST_BYTES }, (_request, body, done) => done(null, body));

    scope.get('/api/manifests', { config: { access: 'viewer' } }, async (): Promise<ManifestListResponse> => ({
      manifests: (await listManifests(deps.db)).map((m) => ({ id: m.id, name: m.name, sequence: m.sequence, description: m.document.pair.description ?? null, modifiedAt: m.modifiedAt.toISOString() })),
    }));

    scope.post('/api/manifests', { config: { access: 'operator' }, bodyLimit: MAX_MANIFEST_BYTES }, async (request, reply) => {
      const row = await createManifest(deps, request.actor!, request.body, { requestId: request.id });
      return reply.status(201).send({ manifest: resource(row) } satisfies ManifestResponse);
    });

    scope.post('/api/manifests/validate', { config: { access: 'viewer' }, bodyLimit: MAX_MANIFEST_BYTES }, async (request): Promise<ManifestValidationResponse> => {
      const query = parseQuery(validateQuery, request.query);
      return checkManifest(deps, request.body ?? null, { step: query.step, id: query.id });
    });

    scope.post('/api/manifests/import', { config: { access: 'operator' }, bodyLimit: MAX_MANIFEST_BYTES }, async (request, reply) => {
      const text = typeof request.body === 'string' ? request.body : '';
      const input = parseManifestYaml(text, 'the request body');
      const { manifest, created } = await applyManifest(deps, request.actor!, input, { requestId: request.id });
      return reply.status(created ? 201 : 200).send({ manifest: resource(manifest), created });
    });

    scope.get<{ Params: { id: string } }>('/api/manifests/:id', { config: { access: 'viewer' } }, async (request): Promise<ManifestResponse> => ({
      manifest: resource(await getManifest(deps.db, request.params.id)),
    }));

    scope.put<{ Params: { id: string } }>('/api/manifests/:id', { config: { access: 'operator' }, bodyLimit: MAX_MANIFEST_BYTES }, async (request): Promise<ManifestResponse> => {
      await getManifest(deps.db, request.params.id);
      return { manifest: resource(await replaceManifest(deps, request.actor!, request.params.id, request.body, { requestId: request.id })) };
    });

    scope.delete<{ Params: { id: string } }>('/api/manifests/:id', { config: { access: 'operator' } }, async (request, reply) => {
      await getManifest(deps.db, request.params.id);
      await removeManifest(deps, request.actor!, request.params.id, { requestId: request.id });
      return reply.status(204).send();
    });

    scope.get<{ Params: { id: string } }>('/api/manifests/:id/export', { config: { access: 'viewer' } }, async (request, reply) => {
      const row = await getManifest(deps.db, request.params.id);
      return reply
        .type('application/yaml; charset=utf-8')
        .header('content-disposition', `attachment; filename="${row.name}.yaml"`)
        .send(stringifyManifestYaml(row.name, row.document));
    });

    scope.get<{ Params: { id: string } }>('/api/manifests/:id/plan', { config: { access: 'viewer' } }, async (request): Promise<ManifestPlanResponse> => {
      const row = await getManifest(deps.db, request.params.id);
      return { id: row.id, plan: manifestPlan(row.document) };
    });
  });
}
