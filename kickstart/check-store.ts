/**
 * The outcome of each machine's last pre-boot check, and what a machine's kickstart status is
 * now: `incomplete` (its draft cannot be built: the problems say why), `unchecked` (never checked,
 * or its inputs changed since: the stored fingerprint differs), `ready` or `failed` (with the
 * exact problems the check found).
 */
import type { DbReader, DbWriter } from '../striker/db/database.js';
import type { Problem } from '../striker/core/errors/index.js';
import type { HostDraftResult } from './host-drafts.js';
import type { CheckProblem } from './preboot-check.js';

export interface StoredCheck {
  status: 'ready' | 'failed';
  engine: 'dnf' | 'resolver' | 'none';
  problems: CheckProblem[];
  fingerprint: string;
  jobId: string | null;
  checkedAt: Date;
}

export interface KickstartStatus {
  mac: string;
  hostId: string;
  status: 'incomplete' | 'unchecked' | 'ready' | 'failed';
  /** incomplete: what is missing; failed: what the check found. */
  problems: (Problem | { source: string; line: number; message: string })[];
  /** True when a check exists but was made for other inputs. */
  stale: boolean;
  checkedAt: Date | null;
  engine: StoredCheck['engine'] | null;
}

export async function saveCheck(q: DbWriter, mac: string, check: Pick<StoredCheck, 'status' | 'engine' | 'problems'>, fingerprint: string, jobId: string | null, at: Date): Promise<StoredCheck> {
  const { rows } = await q.write<StoredCheck>(
    `INSERT INTO kickstart_checks (machine_id, status, engine, problems, fingerprint, job_id, checked_at)
     SELECT id, $2, $3, $4, $5, $6, $7 FROM machines WHERE mac = $1
     ON CONFLICT (machine_id) DO UPDATE SET status = EXCLUDED.status, engine = EXCLUDED.engine, problems = EXCLUDED.problems,
       fingerprint = EXCLUDED.fingerprint, job_id = EXCLUDED.job_id, checked_at = EXCLUDED.checked_at
     RETURNING status, engine, problems, fingerprint, job_id AS "jobId", checked_at AS "checkedAt"`,
    [mac, check.status, check.engine, JSON.stringify(check.problems), fingerprint, jobId, at],
  );
  return rows[0]!;
}

export async function loadCheck(q: DbReader, mac: string): Promise<StoredCheck | undefined> {
  const { rows } = await q.query<StoredCheck>(
    `SELECT c.status, c.engine, c.problems, c.fingerprint, c.job_id AS "jobId", c.checked_at AS "checkedAt"
       FROM kickstart_checks c JOIN machines m ON m.id = c.machine_id WHERE m.mac = $1`,
    [mac],
  );
  return rows[0];
}

/** Pure: the status from the current draft and the stored check. */
export function statusOf(draft: HostDraftResult, stored: StoredCheck | undefined): KickstartStatus {
  const base = { mac: draft.machine.mac, hostId: draft.hostId, checkedAt: stored?.checkedAt ?? null, engine: stored?.engine ?? null };
  if (!draft.ok) return { ...base, status: 'incomplete', problems: draft.problems, stale: false };
  if (stored === undefined) return { ...base, status: 'unchecked', problems: [], stale: false };
  if (stored.fingerprint !== draft.fingerprint) {
    return { ...base, status: 'unchecked', problems: [{ path: 'check', message: 'the kickstart inputs changed since the last check: run the check again' }], stale: true };
  }
  return { ...base, status: stored.status, problems: stored.problems, stale: false };
}
