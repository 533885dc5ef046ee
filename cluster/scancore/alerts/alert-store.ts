/**
 * SQL for alerts (migration 0019): recipients and their per-host overrides, the SMTP relays (the
 * password column holds an envelope; this module never opens it), alert occurrences and the
 * e-mails sent for them.
 */
import type { EncryptedTable } from '../../../striker/core/secrets/index.js';
import type { DbReader, DbWriter } from '../../../striker/db/database.js';
import type { AlertLevel, RecipientLevel } from './alert-level.js';
import type { AlertState } from './debounce.js';

/** The relays' sealed column (for the key-rotation registry). */
export const alertSecrets: EncryptedTable = { table: 'alert_mail_servers', key: 'id', columns: ['password'], scope: 'replicated' };

export interface RecipientRow {
  id: string;
  name: string;
  email: string;
  language: string;
  level: RecipientLevel;
  overrides: { host: string; level: RecipientLevel }[];
}

export interface MailServerRow {
  id: string;
  host: string;
  port: number;
  security: 'none' | 'starttls' | 'tls';
  username: string | null;
  /** Envelope, or null. */
  password: string | null;
  sender: string;
  position: number;
}

export interface AlertRow {
  id: string;
  source: string;
  host: string;
  key: string;
  level: AlertLevel;
  messageKey: string;
  variables: Record<string, unknown>;
  clearMessageKey: string | null;
  clearVariables: Record<string, unknown>;
  state: AlertState['phase'];
  stateSince: Date;
  setSent: boolean;
  clearSent: boolean;
  raisedAt: Date;
  clearedAt: Date | null;
  acknowledgedBy: string | null;
  acknowledgedAt: Date | null;
}

export interface DeliveryRow {
  id: string;
  alertId: string | null;
  kind: 'set' | 'clear' | 'test';
  recipientId: string | null;
  email: string;
  language: string;
  serverId: string | null;
  status: 'queued' | 'sent' | 'failed';
  error: string | null;
  attempts: number;
  createdAt: Date;
  sentAt: Date | null;
}

// Recipients ---------------------------------------------------------------------------------

const RECIPIENT_COLUMNS = `r.id, r.name, r.email, r.language, r.level,
  COALESCE((SELECT json_agg(json_build_object('host', o.host, 'level', o.level) ORDER BY o.host)
            FROM alert_recipient_overrides o WHERE o.recipient_id = r.id), '[]'::json) AS overrides`;

export async function listRecipients(q: DbReader): Promise<RecipientRow[]> {
  return (await q.query<RecipientRow>(`SELECT ${RECIPIENT_COLUMNS} FROM alert_recipients r ORDER BY r.name, r.email`)).rows;
}

export async function findRecipient(q: DbReader, id: string): Promise<RecipientRow | undefined> {
  return (await q.query<RecipientRow>(`SELECT ${RECIPIENT_COLUMNS} FROM alert_recipients r WHERE r.id = $1`, [id])).rows[0];
}

export async function recipientEmailTaken(q: DbReader, email: string, exceptId: string | null): Promise<boolean> {
  const { rows } = await q.query('SELECT 1 FROM alert_recipients WHERE lower(email) = lower($1) AND id IS DISTINCT FROM $2', [email, exceptId]);
  return rows.length > 0;
}

export async function insertRecipient(q: DbWriter, r: Omit<RecipientRow, 'id' | 'overrides'>): Promise<string> {
  const { rows } = await q.write<{ id: string }>(
    'INSERT INTO alert_recipients (name, email, language, level) VALUES ($1, $2, $3, $4) RETURNING id',
    [r.name, r.email, r.language, r.level],
  );
  return rows[0]!.id;
}

export async function updateRecipient(q: DbWriter, id: string, r: Omit<RecipientRow, 'id' | 'overrides'>): Promise<boolean> {
  const { rowCount } = await q.write('UPDATE alert_recipients SET name = $2, email = $3, language = $4, level = $5 WHERE id = $1', [id, r.name, r.email, r.language, r.level]);
  return rowCount === 1;
}

/** Replaces a recipient's per-host overrides with `overrides`. */
export async function replaceOverrides(q: DbWriter, recipientId: string, overrides: readonly { host: string; level: RecipientLevel }[]): Promise<void> {
  await q.write('DELETE FROM alert_recipient_overrides WHERE recipient_id = $1 AND NOT (host = ANY($2::text[]))', [recipientId, overrides.map((o) => o.host)]);
  for (const o of overrides) {
    await q.write(
      `INSERT INTO alert_recipient_overrides (recipient_id, host, level) VALUES ($1, $2, $3)
       ON CONFLICT (recipient_id, host) DO UPDATE SET level = EXCLUDED.level WHERE alert_recipient_overrides.level <> EXCLUDED.level`,
      [recipientId, o.host, o.level],
    );
  }
}

export async function deleteRecipient(q: DbWriter, id: string): Promise<boolean> {
  return (await q.write('DELETE FROM alert_recipients WHERE id = $1', [id])).rowCount === 1;
}

// Mail servers -------------------------------------------------------------------------------

const SERVER_COLUMNS = 'id, host, port, security, username, password, sender, position';

/** The relays in failover order. */
export async function listMailServers(q: DbReader): Promise<MailServerRow[]> {
  return (await q.query<MailServerRow>(`SELECT ${SERVER_COLUMNS} FROM alert_mail_servers ORDER BY position, created_at, id`)).rows;
}

export async function findMailServer(q: DbReader, id: string): Promise<MailServerRow | undefined> {
  return (await q.query<MailServerRow>(`SELECT ${SERVER_COLUMNS} FROM alert_mail_servers WHERE id = $1`, [id])).rows[0];
}

export async function insertMailServer(q: DbWriter, s: Omit<MailServerRow, 'id'>): Promise<string> {
  const { rows } = await q.write<{ id: string }>(
    'INSERT INTO alert_mail_servers (host, port, security, username, password, sender, position) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id',
    [s.host, s.port, s.security, s.username, s.password, s.sender, s.position],
  );
  return rows[0]!.id;
}

export async function updateMailServer(q: DbWriter, id: string, s: Omit<MailServerRow, 'id'>): Promise<boolean> {
  const { rowCount } = await q.write(
    'UPDATE alert_mail_servers SET host = $2, port = $3, security = $4, username = $5, password = $6, sender = $7, position = $8 WHERE id = $1',
    [id, s.host, s.port, s.security, s.username, s.password, s.sender, s.position],
  );
  return rowCount === 1;
}

export async function deleteMailServer(q: DbWriter, id: string): Promise<boolean> {
  return (await q.write('DELETE FROM alert_mail_servers WHERE id = $1', [id])).rowCount === 1;
}

/** The next failover position (after the last relay). */
export async function nextMailServerPosition(q: DbReader): Promise<number> {
  const { rows } = await q.query<{ n: number }>('SELECT COALESCE(max(position) + 1, 0)::int AS n FROM alert_mail_servers');
  return rows[0]!.n;
}

// Alerts -------------------------------------------------------------------------------------

const ALERT_COLUMNS = `id, source, host, key, level, message_key AS "messageKey", variables, clear_message_key AS "clearMessageKey",
  clear_variables AS "clearVariables", state, state_since AS "stateSince", set_sent AS "setSent", clear_sent AS "clearSent",
  raised_at AS "raisedAt", cleared_at AS "clearedAt", acknowledged_by AS "acknowledgedBy", acknowledged_at AS "acknowledgedAt"`;

/** The open occurrence of a condition, locked for the caller's transaction. */
export async function openAlertForUpdate(q: DbReader, source: string, host: string, key: string): Promise<AlertRow | undefined> {
  const { rows } = await q.query<AlertRow>(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE source = $1 AND host = $2 AND key = $3 AND state <> 'cleared' FOR UPDATE`, [source, host, key]);
  return rows[0];
}

/** The conditions of `source` open for these hosts: pending or raised (not those whose clear is held). */
export async function openConditions(q: DbReader, source: string, hosts: readonly string[]): Promise<{ host: string; key: string }[]> {
  const { rows } = await q.query<{ host: string; key: string }>(
    `SELECT host, key FROM alerts WHERE source = $1 AND host = ANY($2::text[]) AND state IN ('pending', 'raised') ORDER BY host, key`,
    [source, hosts],
  );
  return rows;
}

export async function findAlert(q: DbReader, id: string): Promise<AlertRow | undefined> {
  return (await q.query<AlertRow>(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE id = $1`, [id])).rows[0];
}

/** Inserts a new occurrence; undefined when another transaction opened one for the condition first. */
export async function insertAlert(q: DbWriter, a: Omit<AlertRow, 'id' | 'acknowledgedBy' | 'acknowledgedAt' | 'clearedAt' | 'clearSent' | 'clearMessageKey' | 'clearVariables'>): Promise<string | undefined> {
  const { rows } = await q.write<{ id: string }>(
    `INSERT INTO alerts (source, host, key, level, message_key, variables, state, state_since, set_sent, raised_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (source, host, key) WHERE state <> 'cleared' DO NOTHING RETURNING id`,
    [a.source, a.host, a.key, a.level, a.messageKey, JSON.stringify(a.variables), a.state, a.stateSince, a.setSent, a.raisedAt],
  );
  return rows[0]?.id;
}

/** Raises an open occurrence to a more severe level with its new message. */
export async function escalateAlert(q: DbWriter, id: string, e: { level: AlertLevel; messageKey: string; variables: Record<string, unknown> }): Promise<void> {
  await q.write('UPDATE alerts SET level = $2, message_key = $3, variables = $4 WHERE id = $1', [id, e.level, e.messageKey, JSON.stringify(e.variables)]);
}

/** Writes an occurrence's de-bounce state and what was sent. */
export async function updateAlertState(
  q: DbWriter,
  id: string,
  s: { state: AlertRow['state']; stateSince: Date; setSent: boolean; clearSent: boolean; clearedAt: Date | null; clearMessageKey?: string | null; clearVariables?: Record<string, unknown> },
): Promise<void> {
  await q.write(
    `UPDATE alerts SET state = $2, state_since = $3, set_sent = $4, clear_sent = $5, cleared_at = $6,
       clear_message_key = COALESCE($7, clear_message_key), clear_variables = COALESCE($8::jsonb, clear_variables) WHERE id = $1`,
    [id, s.state, s.stateSince, s.setSent, s.clearSent, s.clearedAt, s.clearMessageKey ?? null, s.clearVariables === undefined ? null : JSON.stringify(s.clearVariables)],
  );
}

/** Occurrences held by the de-bounce whose window began at or before `before`, locked. */
export async function heldAlertsForUpdate(q: DbReader, before: Date): Promise<AlertRow[]> {
  const { rows } = await q.query<AlertRow>(
    `SELECT ${ALERT_COLUMNS} FROM alerts WHERE state IN ('pending', 'clearing') AND state_since <= $1 ORDER BY state_since FOR UPDATE SKIP LOCKED`,
    [before],
  );
  return rows;
}

/**
 * The recipients who received a set e-mail of an alert or of the alerts closed silently with its
 * clear (same source and host, cleared at the moment its clear began, set sent, no clear sent).
 */
export async function setRecipientsOfClear(q: DbReader, alertId: string): Promise<string[]> {
  const { rows } = await q.query<{ id: string }>(
    `SELECT DISTINCT d.recipient_id AS id
       FROM alerts lead
       JOIN alerts a ON a.id = lead.id
          OR (a.source = lead.source AND a.host = lead.host AND a.state = 'cleared' AND a.set_sent AND NOT a.clear_sent
              AND lead.cleared_at IS NOT NULL AND a.cleared_at = lead.cleared_at)
       JOIN alert_deliveries d ON d.alert_id = a.id AND d.kind = 'set' AND d.recipient_id IS NOT NULL
      WHERE lead.id = $1`,
    [alertId],
  );
  return rows.map((r) => r.id);
}

export interface AlertFilter {
  level?: AlertLevel | undefined;
  host?: string | undefined;
  /** 'true': only the open alerts (raised, or clearing and not yet cleared). */
  open?: 'true' | 'false' | undefined;
  limit: number;
  offset: number;
}

export async function listAlerts(q: DbReader, f: AlertFilter): Promise<{ total: number; alerts: AlertRow[] }> {
  const where = `WHERE ($1::text IS NULL OR level = $1) AND ($2::text IS NULL OR host = $2)${f.open === 'true' ? ` AND state IN ('raised', 'clearing')` : ''}`;
  const params = [f.level ?? null, f.host ?? null];
  const total = (await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM alerts ${where}`, params)).rows[0]!.n;
  const { rows } = await q.query<AlertRow>(`SELECT ${ALERT_COLUMNS} FROM alerts ${where} ORDER BY raised_at DESC, id LIMIT $3 OFFSET $4`, [...params, f.limit, f.offset]);
  return { total, alerts: rows };
}

/** Marks an alert acknowledged; false when there is no such alert or it already was. */
export async function acknowledgeAlert(q: DbWriter, id: string, by: string, at: Date): Promise<boolean> {
  const { rowCount } = await q.write('UPDATE alerts SET acknowledged_by = $2, acknowledged_at = $3 WHERE id = $1 AND acknowledged_at IS NULL', [id, by, at]);
  return rowCount === 1;
}

// Deliveries ---------------------------------------------------------------------------------

const DELIVERY_COLUMNS = `id, alert_id AS "alertId", kind, recipient_id AS "recipientId", email, language, server_id AS "serverId",
  status, error, attempts, created_at AS "createdAt", sent_at AS "sentAt"`;

export async function insertDelivery(q: DbWriter, d: { alertId: string | null; kind: DeliveryRow['kind']; recipientId: string | null; email: string; language: string }): Promise<string> {
  const { rows } = await q.write<{ id: string }>(
    `INSERT INTO alert_deliveries (alert_id, kind, recipient_id, email, language, status) VALUES ($1, $2, $3, $4, $5, 'queued') RETURNING id`,
    [d.alertId, d.kind, d.recipientId, d.email, d.language],
  );
  return rows[0]!.id;
}

export async function findDeliveries(q: DbReader, ids: readonly string[]): Promise<DeliveryRow[]> {
  return (await q.query<DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM alert_deliveries WHERE id = ANY($1::uuid[]) ORDER BY created_at, id`, [ids])).rows;
}

export async function deliveriesOfAlerts(q: DbReader, alertIds: readonly string[]): Promise<DeliveryRow[]> {
  return (await q.query<DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM alert_deliveries WHERE alert_id = ANY($1::uuid[]) ORDER BY created_at, id`, [alertIds])).rows;
}

/** Records one attempt's outcome. */
export async function recordDeliveryAttempt(q: DbWriter, id: string, outcome: { status: 'sent' | 'failed'; serverId: string | null; error: string | null; at: Date }): Promise<void> {
  await q.write(
    `UPDATE alert_deliveries SET status = $2, server_id = $3, error = $4, attempts = attempts + 1, sent_at = CASE WHEN $2 = 'sent' THEN $5::timestamptz ELSE sent_at END WHERE id = $1`,
    [id, outcome.status, outcome.serverId, outcome.error?.slice(0, 4000) ?? null, outcome.at],
  );
}
