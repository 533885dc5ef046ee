/**
 * The audit log: one row for every change, written by the change's action (`actions.ts` in each
 * area) in the same transaction as the change.
 */
import type { DbReader, DbWriter } from '../db/database.js';

export interface Actor {
  userId: string | null;
  name: string;
  role: import('../auth/roles.js').Role;
  /** 'session' (browser), 'token' (CLI, agent) or 'system' (Striker itself, the local CLI). */
  via: 'session' | 'token' | 'system';
}

export const systemActor: Actor = { userId: null, name: 'system', role: 'admin', via: 'system' };

/** What an action is told besides its actor and input. */
export interface ActionOptions {
  /** The HTTP request's id, kept in the audit row. */
  requestId?: string | undefined;
  /** Where the input came from, prefixed to problem paths: 'body' for the API, '' (the default) for CLI options. */
  inputPath?: string;
}

export interface AuditEntry {
  action: string;
  targetKind: string;
  targetId?: string;
  details?: Record<string, unknown>;
  requestId?: string | undefined;
}

export async function audit(q: DbWriter, actor: Actor, entry: AuditEntry): Promise<void> {
  await q.write(
    `INSERT INTO audit_log (actor_id, actor_name, action, target_kind, target_id, details, request_id) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [actor.userId, actor.name, entry.action, entry.targetKind, entry.targetId ?? '', JSON.stringify(entry.details ?? {}), entry.requestId ?? ''],
  );
}

export interface AuditRow {
  id: string;
  at: Date;
  actorName: string;
  action: string;
  targetKind: string;
  targetId: string;
  details: Record<string, unknown>;
  requestId: string;
}

export async function listAudit(q: DbReader, limit: number): Promise<AuditRow[]> {
  const { rows } = await q.query<AuditRow>(
    `SELECT id, at, actor_name AS "actorName", action, target_kind AS "targetKind", target_id AS "targetId", details, request_id AS "requestId"
       FROM audit_log ORDER BY at DESC LIMIT $1`,
    [limit],
  );
  return rows;
}
