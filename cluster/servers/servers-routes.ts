/**
 * The servers API. For people: `GET /api/servers` (each server, where it runs, its state and
 * provisioning step and job), `GET /api/servers/:name` (with its newest migrations),
 * `POST /api/servers` (operator: a new server, 202 with its provisioning job; a 400 names every bad
 * field) and `POST /api/servers/:name/actions` (operator: migrate, start, stop; 202 with the job).
 * `POST /api/servers/:name/definition/conflicts/:id` (operator: settle a definition conflict by
 * choosing `{"choose": "kept" | "other"}`; 202 with the `server.define` jobs).
 * For host agents: `POST /api/agent/servers/:name/migrations` (a node of the server's pair
 * reports a migration's duration) and `POST /api/agent/servers/:name/definition` (a node reports
 * its domain's changed definition, definition-actions.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../striker/db/database.js';
import type { FilesConfig } from '../files/index.js';
import type { JobCatalog } from '../../striker/jobs/job-kind.js';
import { createServer, recordMigration, serverAction } from './actions.js';
import { definitionView, reportDefinition, settleDefinitionConflict, type DefinitionView } from './definition-actions.js';
import type { DefinitionConflict, Server, ServerMigration } from './server-record.js';
import { getServer, listServers, serverMigrations } from './servers-store.js';

export interface ServerListResponse { servers: Server[] }
/** `definition`: the version in force, its history and conflicts; null before provisioning rendered it. */
export interface ServerResponse { server: Server; migrations: ServerMigration[]; definition: DefinitionView | null }
export interface DefinitionSettleResponse { conflict: DefinitionConflict; version: number; jobIds: string[] }
export interface ServerJobResponse { server: Server; jobId: string }

export function serversRoutes(app: FastifyInstance, deps: { db: Database; catalog: JobCatalog; files?: FilesConfig }): void {
  const { db } = deps;
  app.get('/api/servers', { config: { access: 'viewer' as const } }, async (): Promise<ServerListResponse> => ({ servers: await listServers(db) }));

  app.get<{ Params: { name: string } }>('/api/servers/:name', { config: { access: 'viewer' as const } }, async (request): Promise<ServerResponse> => {
    const server = await getServer(db, request.params.name);
    return { server, migrations: await serverMigrations(db, server.name), definition: await definitionView(db, server.name) };
  });

  app.post('/api/servers', { config: { access: 'operator' as const } }, async (request, reply): Promise<ServerJobResponse> => {
    const { server, job } = await createServer(db, deps.catalog, request.actor!, request.body, { inputPath: 'body', requestId: request.id, files: deps.files });
    void reply.code(202);
    return { server, jobId: job.id };
  });

  app.post<{ Params: { name: string } }>('/api/servers/:name/actions', { config: { access: 'operator' as const } }, async (request, reply): Promise<ServerJobResponse> => {
    const { server, job } = await serverAction(db, request.actor!, request.params.name, request.body, { inputPath: 'body', requestId: request.id });
    void reply.code(202);
    return { server, jobId: job.id };
  });

  app.post<{ Params: { name: string; id: string } }>('/api/servers/:name/definition/conflicts/:id', { config: { access: 'operator' as const } }, async (request, reply): Promise<DefinitionSettleResponse> => {
    const { conflict, definition, jobIds } = await settleDefinitionConflict(db, request.actor!, request.params.name, request.params.id, request.body, { inputPath: 'body', requestId: request.id });
    void reply.code(202);
    return { conflict, version: definition.version, jobIds };
  });

  app.post<{ Params: { name: string } }>('/api/agent/servers/:name/definition', { config: { access: 'agent' as const } }, async (request) => {
    return reportDefinition(db, request.agent!.hostId, request.params.name, request.body);
  });

  app.post<{ Params: { name: string } }>('/api/agent/servers/:name/migrations', { config: { access: 'agent' as const } }, async (request, reply) => {
    const migration = await recordMigration(db, request.agent!.hostId, request.params.name, request.body);
    void reply.code(201);
    return { migration };
  });
}
