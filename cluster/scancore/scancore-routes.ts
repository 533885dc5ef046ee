/**
 * ScanCore's HTTP routes. `POST /api/agent/scan` takes a host agent's scan report (agent
 * credential; the host is the credential's; the body capped at `maxBytes` and validated, a 400
 * naming the field): its readings are stored with `since` carried across scans and the host's
 * health score is computed again from its latest readings.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Clock } from '../../striker/core/clock.js';
import { ValidationError } from '../../striker/core/errors/index.js';
import { problemsFromZod } from '../../striker/core/validation/zod-problems.js';
import type { Database, DbTx } from '../../striker/db/database.js';
import { healthScore, type HealthScore } from './health-score.js';
import { latestReadings, recordScan, saveHealthScore } from './readings-store.js';
import { scanReportSchema, type ScanReport } from './scan-loop.js';
import type { ScancoreConfig } from './scancore-config.js';

export interface ScancoreRouteDeps {
  db: Database;
  config: ScancoreConfig;
  clock: Clock;
  logger: Logger;
  /** Largest scan report accepted, in bytes. */
  reportMaxBytes: number;
}

/** Stores one host's scan and its new health score; both in one transaction. */
export async function acceptScanReport(t: DbTx, hostId: string, report: ScanReport, at: number, config: ScancoreConfig): Promise<{ stored: number; health: HealthScore }> {
  const stamped = await recordScan(t, hostId, at, report.readings);
  const health = healthScore({ hostId, readings: await latestReadings(t, [hostId]) }, at, config);
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
    const { stored, health } = await deps.db.tx((t) => acceptScanReport(t, hostId, report, at, deps.config));
    log.debug({ hostId, stored, score: health.score }, 'scan report stored');
    return { stored, health: { score: health.score, reasons: health.reasons } };
  });
}
