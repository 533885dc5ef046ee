/**
 * The alerts area's actions, called by its HTTP routes and the `striker alerts` CLI alike: each
 * validates its input, makes the change and writes the audit row in one transaction. Relay
 * passwords are sealed here before they are stored and never returned.
 */
import { audit, type ActionOptions, type Actor } from '../../../striker/audit/audit-store.js';
import { ConflictError, NotFoundError, ValidationError } from '../../../striker/core/errors/index.js';
import { columnContext } from '../../../striker/core/secrets/index.js';
import { isUuid } from '../../../striker/core/validation/uuid.js';
import { parseInput } from '../../../striker/core/validation/zod-problems.js';
import { historyQuery, mailServerInput, recipientInput, testEmailInput, type MailServerInput } from './alert-input.js';
import {
  acknowledgeAlert as markAcknowledged,
  alertSecrets,
  deleteMailServer,
  deleteRecipient,
  deliveriesOfAlerts,
  findAlert,
  findMailServer,
  findRecipient,
  insertDelivery,
  insertMailServer,
  insertRecipient,
  listAlerts,
  listMailServers,
  listRecipients,
  nextMailServerPosition,
  recipientEmailTaken,
  recordDeliveryAttempt,
  replaceOverrides,
  updateMailServer,
  updateRecipient,
  type AlertRow,
  type DeliveryRow,
  type MailServerRow,
  type RecipientRow,
} from './alert-store.js';
import type { AlertsDeps } from './alerts-deps.js';
import { openRelays } from './alert-delivery.js';
import { composeTestMail } from './compose-mail.js';
import { describeRelayErrors, relayLabel, sendThroughRelays, type RelayError } from './smtp-relay.js';

const PASSWORD = columnContext(alertSecrets.table, 'password');

// Recipients ---------------------------------------------------------------------------------

export function listAlertRecipients(deps: AlertsDeps): Promise<RecipientRow[]> {
  return listRecipients(deps.db);
}

export async function addRecipient(deps: AlertsDeps, actor: Actor, input: unknown, options: ActionOptions = {}): Promise<RecipientRow> {
  const r = parseInput(recipientInput, input, 'recipient', options.inputPath);
  return deps.db.tx(async (t) => {
    if (await recipientEmailTaken(t, r.email, null)) throw new ConflictError(`a recipient with the address ${r.email} exists`, { field: fieldPath(options, 'email') });
    const id = await insertRecipient(t, r);
    await replaceOverrides(t, id, r.overrides);
    await audit(t, actor, { action: 'alerts.recipient.add', targetKind: 'alert_recipient', targetId: id, details: { email: r.email, level: r.level }, requestId: options.requestId });
    return (await findRecipient(t, id))!;
  });
}

export async function changeRecipient(deps: AlertsDeps, actor: Actor, id: string, input: unknown, options: ActionOptions = {}): Promise<RecipientRow> {
  if (!isUuid(id)) throw new NotFoundError('recipient', id);
  const r = parseInput(recipientInput, input, 'recipient', options.inputPath);
  return deps.db.tx(async (t) => {
    if (await recipientEmailTaken(t, r.email, id)) throw new ConflictError(`a recipient with the address ${r.email} exists`, { field: fieldPath(options, 'email') });
    if (!(await updateRecipient(t, id, r))) throw new NotFoundError('recipient', id);
    await replaceOverrides(t, id, r.overrides);
    await audit(t, actor, { action: 'alerts.recipient.change', targetKind: 'alert_recipient', targetId: id, details: { email: r.email, level: r.level }, requestId: options.requestId });
    return (await findRecipient(t, id))!;
  });
}

export async function removeRecipient(deps: AlertsDeps, actor: Actor, id: string, options: ActionOptions = {}): Promise<{ removed: string }> {
  if (!isUuid(id)) throw new NotFoundError('recipient', id);
  return deps.db.tx(async (t) => {
    if (!(await deleteRecipient(t, id))) throw new NotFoundError('recipient', id);
    await audit(t, actor, { action: 'alerts.recipient.remove', targetKind: 'alert_recipient', targetId: id, requestId: options.requestId });
    return { removed: id };
  });
}

// Mail servers -------------------------------------------------------------------------------

export interface MailServerView extends Omit<MailServerRow, 'password'> {
  password: { set: boolean };
}

export function mailServerView(s: MailServerRow): MailServerView {
  return { ...s, password: { set: s.password !== null } };
}

export async function listAlertMailServers(deps: AlertsDeps): Promise<MailServerView[]> {
  return (await listMailServers(deps.db)).map(mailServerView);
}

export async function addMailServer(deps: AlertsDeps, actor: Actor, input: unknown, options: ActionOptions = {}): Promise<MailServerView> {
  const s = parseInput(mailServerInput, input, 'mail server', options.inputPath);
  if (s.password !== null && typeof s.password !== 'string') {
    throw new ValidationError([{ path: fieldPath(options, 'password'), message: 'a new mail server has no stored password to keep: give the password or null' }], 'mail server');
  }
  return deps.db.tx(async (t) => {
    const row = { ...serverFields(s), password: s.password === null ? null : deps.keys.encrypt(s.password as string, PASSWORD), position: s.position ?? (await nextMailServerPosition(t)) };
    const id = await insertMailServer(t, row);
    await audit(t, actor, { action: 'alerts.mail_server.add', targetKind: 'alert_mail_server', targetId: id, details: { host: s.host, port: s.port, security: s.security }, requestId: options.requestId });
    return mailServerView((await findMailServer(t, id))!);
  });
}

export async function changeMailServer(deps: AlertsDeps, actor: Actor, id: string, input: unknown, options: ActionOptions = {}): Promise<MailServerView> {
  if (!isUuid(id)) throw new NotFoundError('mail server', id);
  const s = parseInput(mailServerInput, input, 'mail server', options.inputPath);
  return deps.db.tx(async (t) => {
    const before = await findMailServer(t, id);
    if (before === undefined) throw new NotFoundError('mail server', id);
    const password = s.password === null ? null : typeof s.password === 'string' ? deps.keys.encrypt(s.password, PASSWORD) : before.password;
    await updateMailServer(t, id, { ...serverFields(s), password, position: s.position ?? before.position });
    await audit(t, actor, {
      action: 'alerts.mail_server.change',
      targetKind: 'alert_mail_server',
      targetId: id,
      details: { host: s.host, port: s.port, security: s.security, passwordChanged: typeof s.password === 'string' || (s.password === null && before.password !== null) },
      requestId: options.requestId,
    });
    return mailServerView((await findMailServer(t, id))!);
  });
}

export async function removeMailServer(deps: AlertsDeps, actor: Actor, id: string, options: ActionOptions = {}): Promise<{ removed: string }> {
  if (!isUuid(id)) throw new NotFoundError('mail server', id);
  return deps.db.tx(async (t) => {
    if (!(await deleteMailServer(t, id))) throw new NotFoundError('mail server', id);
    await audit(t, actor, { action: 'alerts.mail_server.remove', targetKind: 'alert_mail_server', targetId: id, requestId: options.requestId });
    return { removed: id };
  });
}

function serverFields(s: MailServerInput): Pick<MailServerRow, 'host' | 'port' | 'security' | 'username' | 'sender'> {
  return { host: s.host, port: s.port, security: s.security, username: s.username, sender: s.sender };
}

// Test e-mail --------------------------------------------------------------------------------

export interface TestEmailResult {
  sent: boolean;
  to: string;
  deliveryId: string;
  /** The relay that took it. */
  relay?: string;
  /** Each relay's error when none took it. */
  errors?: RelayError[];
}

/** Sends a test e-mail now, through the relays in failover order, and records it as a delivery. */
export async function sendTestEmail(deps: AlertsDeps, actor: Actor, input: unknown, options: ActionOptions = {}): Promise<TestEmailResult> {
  const req = parseInput(testEmailInput, input, 'test e-mail', options.inputPath);
  let to = req.to;
  let language = req.language ?? 'en';
  let recipientId: string | null = null;
  if (req.recipientId !== undefined) {
    const r = await findRecipient(deps.db, req.recipientId);
    if (r === undefined) throw new NotFoundError('recipient', req.recipientId);
    to = r.email;
    language = req.language ?? r.language;
    recipientId = r.id;
  }
  const relays = await openRelays(deps, deps.db);
  const deliveryId = await insertDelivery(deps.db, { alertId: null, kind: 'test', recipientId, email: to!, language });
  const first = relays[0];
  const mail = { to: to!, ...composeTestMail(deps.renderer, language, { recipient: to!, relay: first ? relayLabel(first) : '-' }), headers: { 'X-Striker-Alert-Level': 'test' } };
  const outcome = await sendThroughRelays(relays, mail, { seconds: deps.settings.smtpTimeoutSeconds });
  await deps.db.tx(async (t) => {
    await recordDeliveryAttempt(t, deliveryId, outcome.ok ? { status: 'sent', serverId: outcome.relayId, error: null, at: deps.clock() } : { status: 'failed', serverId: null, error: describeRelayErrors(outcome.errors), at: deps.clock() });
    await audit(t, actor, { action: 'alerts.test_email', targetKind: 'alert_delivery', targetId: deliveryId, details: { to, sent: outcome.ok }, requestId: options.requestId });
  });
  if (outcome.ok) return { sent: true, to: to!, deliveryId, relay: relayLabel(relays.find((r) => r.id === outcome.relayId)!) };
  return { sent: false, to: to!, deliveryId, errors: outcome.errors };
}

// History ------------------------------------------------------------------------------------

export interface AlertView extends AlertRow {
  /** The set message in English (and the clear message once there is one). */
  message: string;
  clearMessage: string | null;
  deliveries: Omit<DeliveryRow, 'alertId'>[];
}

export interface AlertHistory {
  total: number;
  limit: number;
  offset: number;
  alerts: AlertView[];
}

export async function alertHistory(deps: AlertsDeps, query: unknown, options: ActionOptions = {}): Promise<AlertHistory> {
  const q = parseInput(historyQuery, query ?? {}, 'alert history query', options.inputPath);
  const { total, alerts } = await listAlerts(deps.db, q);
  const deliveries = await deliveriesOfAlerts(deps.db, alerts.map((a) => a.id));
  return {
    total,
    limit: q.limit,
    offset: q.offset,
    alerts: alerts.map((a) => ({
      ...a,
      message: deps.renderer.text('en', a.messageKey, a.variables),
      clearMessage: a.clearMessageKey === null ? null : deps.renderer.text('en', a.clearMessageKey, a.clearVariables),
      deliveries: deliveries.filter((d) => d.alertId === a.id).map(({ alertId: _, ...d }) => d) })),
  };
}

export async function acknowledgeAlert(deps: AlertsDeps, actor: Actor, id: string, options: ActionOptions = {}): Promise<AlertRow> {
  if (!isUuid(id)) throw new NotFoundError('alert', id);
  return deps.db.tx(async (t) => {
    const alert = await findAlert(t, id);
    if (alert === undefined) throw new NotFoundError('alert', id);
    if (alert.acknowledgedAt !== null) throw new ConflictError(`alert ${id} was acknowledged by ${alert.acknowledgedBy} already`);
    await markAcknowledged(t, id, actor.name, deps.clock());
    await audit(t, actor, { action: 'alerts.acknowledge', targetKind: 'alert', targetId: id, requestId: options.requestId });
    return (await findAlert(t, id))!;
  });
}

function fieldPath(options: ActionOptions, field: string): string {
  return options.inputPath ? `${options.inputPath}.${field}` : field;
}
