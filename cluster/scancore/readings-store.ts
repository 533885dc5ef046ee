/**
 * The ScanCore time series in PostgreSQL (migration 0018): readings as agents report them, the
 * latest reading per subject for the engine, health scores, and the age-out purge.
 */
import type { DbReader, DbWriter } from '../../striker/db/database.js';
import type { HealthScore } from './health-score.js';
import { stampReadings, type Reading, type ReadingStatus, type TimedReading } from './reading.js';
import type { ScancoreConfig } from './scancore-config.js';

export async function saveReadings(q: DbWriter, readings: readonly TimedReading[]): Promise<number> {
  if (readings.length === 0) return 0;
  const rows = readings.map((r) => ({
    host_id: r.hostId, agent: r.agent, metric: r.metric, subject: r.subject, value: r.value, unit: r.unit ?? null,
    status: r.status, message: r.message ?? null, read_at: new Date(r.at).toISOString(), status_since: new Date(r.since).toISOString(),
  }));
  const { rowCount } = await q.write(
    `INSERT INTO scan_readings (host_id, agent, metric, subject, value, unit, status, message, read_at, status_since)
     SELECT host_id, agent, metric, subject, value, unit, status, message, read_at, status_since
       FROM jsonb_to_recordset($1::jsonb) AS x(host_id text, agent text, metric text, subject text, value jsonb, unit text,
                                                status text, message text, read_at timestamptz, status_since timestamptz)`,
    [JSON.stringify(rows)],
  );
  return rowCount ?? 0;
}

interface ReadingRow {
  hostId: string; agent: string; metric: string; subject: string; value: number | string | boolean | null;
  unit: string | null; status: ReadingStatus; message: string | null; readAt: Date; since: Date;
}

/** The newest reading of each subject for these hosts. */
export async function latestReadings(q: DbReader, hostIds: readonly string[]): Promise<TimedReading[]> {
  const { rows } = await q.query<ReadingRow>(
    `SELECT DISTINCT ON (host_id, agent, metric, subject)
            host_id AS "hostId", agent, metric, subject, value, unit, status, message, read_at AS "readAt", status_since AS "since"
       FROM scan_readings WHERE host_id = ANY($1::text[])
      ORDER BY host_id, agent, metric, subject, read_at DESC`,
    [hostIds],
  );
  return rows.map((r) => ({
    agent: r.agent, metric: r.metric, subject: r.subject, value: r.value, unit: r.unit ?? undefined, status: r.status,
    message: r.message ?? undefined, hostId: r.hostId, at: r.readAt.getTime(), since: r.since.getTime(),
  }));
}

/**
 * Records one scan of a host: stamps its readings at `at`, carrying each subject's `since` from the
 * latest stored reading, and stores them. Returns the stamped readings.
 */
export async function recordScan(q: DbReader & DbWriter, hostId: string, at: number, readings: readonly Reading[]): Promise<TimedReading[]> {
  const stamped = stampReadings(hostId, at, readings, await latestReadings(q, [hostId]));
  await saveReadings(q, stamped);
  return stamped;
}

export async function saveHealthScore(q: DbWriter, score: HealthScore, at: number): Promise<void> {
  await q.write(`INSERT INTO health_scores (host_id, score, reasons, scored_at) VALUES ($1, $2, $3, $4)`, [score.hostId, score.score, JSON.stringify(score.reasons), new Date(at).toISOString()]);
}

export async function healthHistory(q: DbReader, hostId: string, since: number): Promise<{ score: number; at: number }[]> {
  const { rows } = await q.query<{ score: string; scoredAt: Date }>(
    `SELECT score, scored_at AS "scoredAt" FROM health_scores WHERE host_id = $1 AND scored_at >= $2 ORDER BY scored_at`,
    [hostId, new Date(since).toISOString()],
  );
  return rows.map((r) => ({ score: Number(r.score), at: r.scoredAt.getTime() }));
}

/**
 * The age-out policy: readings older than keepReadingsHours and scores older than keepHealthDays
 * are deleted. The newest reading of each subject is kept whatever its age, so a host that went
 * quiet still shows what it last said.
 */
export async function purgeScanHistory(q: DbWriter, now: number, config: ScancoreConfig): Promise<{ readings: number; scores: number }> {
  const readingsBefore = new Date(now - config.readings.keepReadingsHours * 3_600_000).toISOString();
  const scoresBefore = new Date(now - config.readings.keepHealthDays * 86_400_000).toISOString();
  const readings = await q.write(
    `DELETE FROM scan_readings r WHERE r.read_at < $1
        AND EXISTS (SELECT 1 FROM scan_readings n WHERE n.host_id = r.host_id AND n.agent = r.agent AND n.metric = r.metric
                       AND n.subject = r.subject AND n.read_at > r.read_at)`,
    [readingsBefore],
  );
  const scores = await q.write(`DELETE FROM health_scores WHERE scored_at < $1`, [scoresBefore]);
  return { readings: readings.rowCount ?? 0, scores: scores.rowCount ?? 0 };
}

/** Each host's newest health score with its reasons (every host scored, or just these). */
export async function latestHealthScores(q: DbReader, hostIds?: readonly string[]): Promise<{ hostId: string; score: number; reasons: HealthScore['reasons']; at: number }[]> {
  const { rows } = await q.query<{ hostId: string; score: string; reasons: HealthScore['reasons']; scoredAt: Date }>(
    `SELECT DISTINCT ON (host_id) host_id AS "hostId", score, reasons, scored_at AS "scoredAt"
       FROM health_scores WHERE $1::text[] IS NULL OR host_id = ANY($1::text[])
      ORDER BY host_id, scored_at DESC`,
    [hostIds ?? null],
  );
  return rows.map((r) => ({ hostId: r.hostId, score: Number(r.score), reasons: r.reasons, at: r.scoredAt.getTime() }));
}
