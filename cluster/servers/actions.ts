/**
 * Each servers action once — validation, the change, the audit row — called by the HTTP routes
 * and the CLI alike.
 *
 * - `createServer`: checks the request, finds the pair's install manifest, resolves an ISO named
 *   by file (an uploaded `files` row of kind iso, by name or id: its path in files.hostDirectory,
 *   cluster/files), allocates the DRBD minor and ports (serialised with other allocations),
 *   stores the server and enqueues its `server.create` job, in one transaction. Every problem is listed at once (a 400 naming each
 *   field) and nothing is written when there is one.
 * - `serverAction`: migrate (to the peer, or the node named), start, stop — the host jobs
 *   `servers.migrate`, `servers.start` and `servers.stop` on a node of the pair.
 * - `recordMigration`: a migration's duration (and downtime), reported by the node that ran it;
 *   `recordReportedMigrations`: the records a node's cluster report carries (its migration log).
 */
import { randomUUID } from 'node:crypto';
import { addHostJob } from '../../striker/agent/index.js';
import { audit, type ActionOptions, type Actor } from '../../striker/audit/audit-store.js';
import { ConflictError, ValidationError, type Problem } from '../../striker/core/errors/index.js';
import { problemsFromZod } from '../../striker/core/validation/zod-problems.js';
import type { Database } from '../../striker/db/database.js';
import { enqueueJob } from '../../striker/jobs/enqueue.js';
import type { Job } from '../../striker/jobs/job.js';
import type { JobCatalog } from '../../striker/jobs/job-kind.js';
import { listManifests } from '../../striker/manifest/index.js';
import { allocateServer } from './allocate-server.js';
import { pairForServers, serverHosts } from './pair-hosts.js';
import { serverCreateKind } from './provision-job.js';
import type { Server, ServerMigration, ServerState } from './server-record.js';
import { createServerSchema, namesFile, serverActionSchema, type CreateServerRequest } from './server-request.js';
import { fileForServerIso, parseFilesConfig, type FilesConfig } from '../files/index.js';
import type { MigrationRecord } from './migration-log.js';
import { existingAllocations, getServer, insertMigration, insertMigrationOnce, insertServer, lockAllocation, serversOnHost, updateProvisioning, updateRunState, type NewMigration } from './servers-store.js';
import { z } from 'zod';

const at = (prefix: string, path: string) => (prefix === '' ? path : path === '' ? prefix : `${prefix}.${path}`);

export interface CreateServerOptions extends ActionOptions {
  /** The `files:` configuration: where an ISO named by file lies on the hosts (default: its defaults). */
  files?: FilesConfig | undefined;
}

export async function createServer(db: Database, catalog: JobCatalog, actor: Actor, input: unknown, options: CreateServerOptions = {}): Promise<{ server: Server; job: Job }> {
  const prefix = options.inputPath ?? '';
  const filesConfig = options.files ?? parseFilesConfig({});
  if (input === undefined || input === null || typeof input !== 'object') throw new ValidationError([{ path: prefix === '' ? 'server' : prefix, message: 'is required (a JSON object)' }], 'server');
  const parsed = createServerSchema.safeParse(input);
  const problems: Problem[] = parsed.success ? [] : problemsFromZod(parsed.error, input, prefix);
  return db.tx(async (t) => {
    await lockAllocation(t);
    const raw = input as Record<string, unknown>;
    const manifest = typeof raw['anvil'] === 'string' ? (await listManifests(t)).find((m) => m.name === raw['anvil']) : undefined;
    if (typeof raw['anvil'] === 'string' && manifest === undefined && !problems.some((p) => p.path === at(prefix, 'anvil'))) {
      problems.push({ path: at(prefix, 'anvil'), message: `names no pair: no install manifest is called '${raw['anvil']}'` });
    }
    const pair = manifest === undefined ? undefined : pairForServers(manifest.document);
    if (pair !== undefined && Array.isArray(raw['networks'])) {
      raw['networks'].forEach((n, i) => {
        const key = (n as { network?: unknown } | null)?.network;
        if (typeof key === 'string' && /^(ifn|bcn)[1-9][0-9]?$/.test(key) && !pair.networks.includes(key)) {
          problems.push({ path: at(prefix, `networks.${i}.network`), message: `is not a network of ${pair.anvil} (it has ${pair.networks.join(', ') || 'none'})` });
        }
      });
    }
    // An ISO named by file must be an uploaded ISO; it lies in files.hostDirectory on the hosts.
    const isoFiles: Partial<Record<'installIso' | 'driverIso', { path: string; fileId: string }>> = {};
    for (const key of ['installIso', 'driverIso'] as const) {
      const ref = raw[key];
      if (typeof ref !== 'string' || !namesFile(ref) || problems.some((p) => p.path === at(prefix, key))) continue;
      const found = await fileForServerIso(t, filesConfig, ref);
      if (found === undefined) problems.push({ path: at(prefix, key), message: `names no uploaded file — got '${ref.slice(0, 130)}' (see GET /api/files)` });
      else if (found.file.kind !== 'iso') problems.push({ path: at(prefix, key), message: `names ${found.file.name}, a ${found.file.kind} file, not an ISO` });
      else isoFiles[key] = { path: found.hostPath, fileId: found.file.id };
    }
    let allocation: ReturnType<typeof allocateServer> | undefined;
    if (pair !== undefined || typeof raw['name'] === 'string') {
      try {
        allocation = allocateServer(await existingAllocations(t), {
          name: raw['name'],
          nodes: (pair?.nodes ?? []).map((n) => ({ name: n.name, ...(n.snAddress === undefined ? {} : { snAddress: n.snAddress }) })),
        });
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        for (const p of (error.details['problems'] as Problem[]) ?? []) {
          // The request names the pair, not its hosts: a host's problem is the pair's.
          const path = p.path.startsWith('nodes') ? 'anvil' : p.path;
          if (path === 'nodes' || (path === 'anvil' && pair === undefined)) continue;
          if (path === 'name' && problems.some((q) => q.path === at(prefix, 'name'))) continue;
          problems.push({ path: at(prefix, path), message: p.path.startsWith('nodes') ? `${pair?.anvil ?? 'the pair'}: ${p.message}` : p.message });
        }
      }
    }
    if (problems.length > 0 || !parsed.success || pair === undefined || allocation === undefined) throw new ValidationError(problems, 'server');
    const req: CreateServerRequest = parsed.data;
    const server = await insertServer(t, {
      id: randomUUID(), name: req.name, anvil: pair.anvil, vcpus: req.vcpus, memoryMiB: req.memoryMiB, diskGiB: req.diskGiB,
      installIso: isoFiles.installIso?.path ?? req.installIso ?? null, driverIso: isoFiles.driverIso?.path ?? req.driverIso ?? null,
      installIsoFile: isoFiles.installIso?.fileId ?? null, driverIsoFile: isoFiles.driverIso?.fileId ?? null, osVariant: req.osVariant, networks: req.networks,
      hosts: serverHosts(pair), drbdMinor: allocation.minor, drbdPort: allocation.port, preferredNode: req.preferredNode, liveMigration: req.liveMigration,
    });
    const job = await enqueueJob(t, catalog, { kind: serverCreateKind, payload: { name: server.name }, createdBy: actor.userId });
    await updateProvisioning(t, server.name, { job: job.id });
    await audit(t, actor, {
      action: 'server.create', targetKind: 'server', targetId: server.name,
      details: {
        anvil: server.anvil, minor: server.drbdMinor, port: server.drbdPort, jobId: job.id,
        ...(server.installIsoFile ? { installIsoFile: server.installIsoFile } : {}), ...(server.driverIsoFile ? { driverIsoFile: server.driverIsoFile } : {}),
      },
      requestId: options.requestId,
    });
    return { server: { ...server, provisionJob: job.id }, job };
  });
}

/** The node a server runs on, its peer, and their host ids. */
function nodesOf(server: Server) {
  const node1 = server.hosts.find((h) => h.key === 'node1')!;
  const node2 = server.hosts.find((h) => h.key === 'node2')!;
  return { node1, node2, byName: new Map([[node1.name, node1], [node2.name, node2]]) };
}

export async function serverAction(db: Database, actor: Actor, name: string, input: unknown, options: ActionOptions = {}): Promise<{ server: Server; job: Job }> {
  const prefix = options.inputPath ?? '';
  const parsed = serverActionSchema.safeParse(input ?? {});
  if (!parsed.success) throw new ValidationError(problemsFromZod(parsed.error, input, prefix), 'server action');
  const req = parsed.data;
  return db.tx(async (t) => {
    const server = await getServer(t, name);
    if (server.provisionStep !== 'done') throw new ConflictError(`server ${name} is not provisioned (step ${server.provisionStep}); it cannot ${req.action} yet`, { name });
    const { node1, node2, byName } = nodesOf(server);
    const running = server.runningOn === null ? undefined : byName.get(server.runningOn);
    let job: Job;
    let state: ServerState;
    switch (req.action) {
      case 'migrate': {
        if (req.to !== undefined && !byName.has(req.to)) {
          throw new ValidationError([{ path: at(prefix, 'to'), message: `must be a node of ${server.anvil} (${node1.name} or ${node2.name}) — got '${req.to}'` }], 'server action');
        }
        if (running === undefined) throw new ConflictError(`server ${name} is not running on a node of ${server.anvil}; start it instead of migrating it`, { name });
        const to = req.to ?? (running.name === node1.name ? node2.name : node1.name);
        if (to === running.name) throw new ConflictError(`server ${name} runs on ${to} already`, { name });
        job = await addHostJob(t, actor, { hostId: running.hostId, kind: 'servers.migrate', payload: { servers: [name], to, ...(req.reason ? { reason: req.reason } : {}) } }, options);
        state = 'migrating';
        break;
      }
      case 'stop':
        job = await addHostJob(t, actor, { hostId: (running ?? node1).hostId, kind: 'servers.stop', payload: { servers: [name], ...(req.reason ? { reason: req.reason } : {}) } }, options);
        state = 'stopping';
        break;
      case 'start':
        job = await addHostJob(t, actor, { hostId: (server.preferredNode === 'node1' ? node1 : node2).hostId, kind: 'servers.start', payload: { servers: [name], ...(req.reason ? { reason: req.reason } : {}) } }, options);
        state = 'starting';
        break;
    }
    await updateRunState(t, name, state, server.runningOn);
    await audit(t, actor, { action: `server.${req.action}`, targetKind: 'server', targetId: name, details: { jobId: job.id, ...('to' in req && req.to ? { to: req.to } : {}) }, requestId: options.requestId });
    return { server: await getServer(t, name), job };
  });
}

export const migrationReportSchema = z.strictObject({
  fromNode: z.string().min(1).max(63),
  toNode: z.string().min(1).max(63),
  kind: z.enum(['live', 'cold']),
  outcome: z.enum(['succeeded', 'failed']),
  startedAt: z.iso.datetime({ offset: true }),
  durationMs: z.int().min(0).max(86_400_000),
  downtimeMs: z.int().min(0).max(86_400_000).optional(),
  jobId: z.uuid().optional(),
});

/** Stores a migration a node of the server's pair reports; other hosts are refused. */
export async function recordMigration(db: Database, hostId: string, name: string, input: unknown): Promise<ServerMigration> {
  const parsed = migrationReportSchema.safeParse(input ?? {});
  if (!parsed.success) throw new ValidationError(problemsFromZod(parsed.error, input, 'body'), 'migration report');
  const m = parsed.data;
  const server = await getServer(db, name);
  if (!server.hosts.some((h) => h.hostId === hostId)) throw new ConflictError(`host ${hostId} is not a node of ${server.anvil}, where ${name} runs`, { name });
  const row: NewMigration = {
    serverName: name, anvil: server.anvil, fromNode: m.fromNode, toNode: m.toNode, kind: m.kind, outcome: m.outcome,
    startedAt: new Date(m.startedAt), durationMs: m.durationMs, downtimeMs: m.downtimeMs ?? null, jobId: m.jobId ?? null,
  };
  return insertMigration(db, row);
}

/**
 * Stores the migrations a node's cluster report carries (the resource agent's records): each id
 * once, only for servers of the reporting host's pair (a record about any other name — a resource
 * Striker did not provision — is left out). Returns how many were new.
 */
export async function recordReportedMigrations(q: Parameters<typeof serversOnHost>[0] & Parameters<typeof insertMigrationOnce>[0], hostId: string, records: readonly MigrationRecord[]): Promise<number> {
  if (records.length === 0) return 0;
  const servers = new Map((await serversOnHost(q, hostId)).map((s) => [s.name, s]));
  let stored = 0;
  for (const r of records) {
    const server = servers.get(r.server);
    if (server === undefined) continue;
    const added = await insertMigrationOnce(q, r.id, {
      serverName: r.server, anvil: server.anvil, fromNode: r.fromNode, toNode: r.toNode, kind: r.kind, outcome: r.outcome,
      startedAt: new Date(r.startedAt), durationMs: r.durationMs, downtimeMs: r.downtimeMs ?? null, jobId: null,
    });
    if (added) stored++;
  }
  return stored;
}
