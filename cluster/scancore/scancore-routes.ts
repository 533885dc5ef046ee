/**
 * ScanCore's HTTP routes. `POST /api/agent/scan` takes a host agent's scan report (agent
 * credential; the host is the credential's; the body capped at `maxBytes` and validated, a 400
 * naming the field): its readings are stored with `since` carried across scans and the host's
 * health score is computed again from its latest readings.
 *
 * For people: `GET /api/scancore/hosts` (each host's newest score, its reasons and its latest
 * readings, with the pair and node name when the host is a node of a watched pair: `scancore.pairs` or an applied manifest's),
 * `GET /api/scancore/decisions` (newest first, paged by `before`, filtered by `pair` and `outcome`,
 * each with its jobs as they stand, and the host id of each node of the pairs listed),
 * `GET /api/scancore/maintenance` (each pair's flag, who changed it last and when) and
 * `PUT /api/scancore/maintenance` (admin, audited).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Clock } from '../../striker/core/clock.js';
import { ValidationError } from '../../striker/core/errors/index.js';
import { problemsFromZod } from '../../striker/core/validation/zod-problems.js';
import type { Database, DbTx } from '../../striker/db/database.js';
import { healthScore, type HealthScore } from './health-score.js';
import { hostFacts } from './host-facts.js';
import { latestHealthScores, latestReadings, recordScan, saveHealthScore } from './readings-store.js';
import { setMaintenanceMode } from './actions.js';
import { decisionOutcomes, listDecisions, maintenanceStates, type StoredDecision } from './decisions-store.js';
import { scanReportSchema, type ScanReport } from './scan-loop.js';
import type { ScancoreConfig, ScancorePair } from './scancore-config.js';

export interface ScancoreRouteDeps {
  db: Database;
  config: ScancoreConfig;
  clock: Clock;
  logger: Logger;
  /** Largest scan report accepted, in bytes. */
  reportMaxBytes: number;
  /** The pairs ScanCore watches, for the peer's facts (`pairsSource`). */
  pairs?: PairsSource;
  /** Keeps the cluster part of a report (cluster/ops), in the same transaction. */
  onClusterReport?: (t: DbTx, hostId: string, report: NonNullable<ScanReport['cluster']>, at: number) => Promise<void>;
}

/**
 * Stores one host's scan and its new health score; both in one transaction. `peerHostId`: the
 * host's peer in its pair, when it is a node of a watched pair, for the conditions that compare
 * the two (as the decision round scores it).
 */
export async function acceptScanReport(t: DbTx, hostId: string, report: ScanReport, at: number, config: ScancoreConfig, peerHostId?: string): Promise<{ stored: number; health: HealthScore }> {
  const stamped = await recordScan(t, hostId, at, report.readings);
  const peerFacts = peerHostId === undefined ? undefined : await hostFacts(t, peerHostId);
  const health = healthScore({ hostId, readings: await latestReadings(t, [hostId]), facts: await hostFacts(t, hostId), ...(peerFacts === undefined ? {} : { peerFacts }) }, at, config);
  await saveHealthScore(t, health, at);
  return { stored: stamped.length, health };
}

export function parseBody<S extends z.ZodType>(request: FastifyRequest, schema: S, what = 'request body'): z.output<S> {
  const input = request.body;
  if (input === undefined || input === null) throw new ValidationError([{ path: 'body', message: 'is required (a JSON object)' }], what);
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new ValidationError(problemsFromZod(parsed.error, input, 'body'), what);
  return parsed.data;
}

export function scancoreAgentRoutes(app: FastifyInstance, deps: ScancoreRouteDeps): void {
  const log = deps.logger.child({ component: 'scancore' });
  app.post('/api/agent/scan', { config: { access: 'agent' as const }, bodyLimit: deps.reportMaxBytes }, async (request) => {
    const report = parseBody(request, scanReportSchema, 'scan report');
    const hostId = request.agent!.hostId;
    const at = deps.clock().getTime();
    const pair = (await pairsSource(deps)()).find((p) => p.nodes.some((n) => n.hostId === hostId));
    const peerHostId = pair?.nodes.find((n) => n.hostId !== hostId)?.hostId;
    const { stored, health } = await deps.db.tx(async (t) => {
      const accepted = await acceptScanReport(t, hostId, report, at, deps.config, peerHostId);
      if (report.cluster !== undefined) await deps.onClusterReport?.(t, hostId, report.cluster, at);
      return accepted;
    });
    log.debug({ hostId, stored, score: health.score }, 'scan report stored');
    return { stored, health: { score: health.score, reasons: health.reasons } };
  });
}

const decisionsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.uuid().optional(),
  pair: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be a pair id like an-anvil-01').optional(),
  outcome: z.enum(decisionOutcomes).optional(),
});

/** GET /api/scancore/decisions */
export interface ScancoreDecisionsResponse {
  decisions: StoredDecision[];
  /** The `before` of the next page; null on the last. */
  next: string | null;
  /** Each node of the pairs in `decisions` ScanCore watches, with its host id (for links to the host's page). */
  nodes: { pair: string; node: string; hostId: string }[];
}

function parseQuery<S extends z.ZodType>(request: FastifyRequest, schema: S): z.output<S> {
  const parsed = schema.safeParse(request.query ?? {});
  if (!parsed.success) throw new ValidationError(problemsFromZod(parsed.error, request.query, 'query'), 'query');
  return parsed.data;
}

/** Where the routes read the pairs ScanCore watches: `pairs` (configured and from applied manifests), else the configured ones. */
export type PairsSource = () => readonly ScancorePair[] | Promise<readonly ScancorePair[]>;
export function pairsSource(deps: { config: ScancoreConfig; pairs?: PairsSource | undefined }): PairsSource {
  return deps.pairs ?? (() => deps.config.pairs);
}

/** Each watched node's pair and node name, by host id. */
export function nodesOfPairs(pairs: readonly ScancorePair[]): Map<string, { pair: string; node: string }> {
  return new Map(pairs.flatMap((p) => p.nodes.map((n) => [n.hostId, { pair: p.id, node: n.name }] as const)));
}

export function scancoreRoutes(app: FastifyInstance, deps: { db: Database; config: ScancoreConfig; pairs?: PairsSource }): void {
  const { db } = deps;
  const pairs = pairsSource(deps);

  app.get('/api/scancore/hosts', { config: { access: 'viewer' as const } }, async () => {
    const nodeOf = nodesOfPairs(await pairs());
    const scores = await latestHealthScores(db);
    const hostIds = [...new Set([...scores.map((s) => s.hostId), ...nodeOf.keys()])].sort();
    const readings = await latestReadings(db, hostIds);
    return {
      hosts: hostIds.map((hostId) => {
        const score = scores.find((s) => s.hostId === hostId);
        return {
          hostId,
          pair: nodeOf.get(hostId)?.pair ?? null,
          node: nodeOf.get(hostId)?.node ?? null,
          score: score?.score ?? null,
          scoredAt: score === undefined ? null : new Date(score.at).toISOString(),
          reasons: score?.reasons ?? [],
          readings: readings.filter((r) => r.hostId === hostId).map(({ hostId: _h, at, since, ...r }) => ({ ...r, at: new Date(at).toISOString(), since: new Date(since).toISOString() })),
        };
      }),
    };
  });

  app.get('/api/scancore/decisions', { config: { access: 'viewer' as const } }, async (request): Promise<ScancoreDecisionsResponse> => {
    const q = parseQuery(request, decisionsQuery);
    const decisions = await listDecisions(db, { limit: q.limit + 1, before: q.before, pairId: q.pair, outcome: q.outcome });
    const page = decisions.slice(0, q.limit);
    const listed = new Set(page.map((d) => d.pairId));
    const nodes = listed.size === 0 ? [] : (await pairs()).filter((p) => listed.has(p.id)).flatMap((p) => p.nodes.map((n) => ({ pair: p.id, node: n.name, hostId: n.hostId })));
    return { decisions: page, next: decisions.length > q.limit ? page.at(-1)!.id : null, nodes };
  });

  app.get('/api/scancore/maintenance', { config: { access: 'viewer' as const } }, async () => ({ pairs: await maintenanceStates(db) }));

  app.put('/api/scancore/maintenance', { config: { access: 'admin' as const } }, async (request) => {
    if (request.body === undefined || request.body === null) throw new ValidationError([{ path: 'body', message: 'is required (a JSON object)' }], 'maintenance');
    return setMaintenanceMode(db, request.actor!, request.body, { prefix: 'body', requestId: request.id });
  });
}
