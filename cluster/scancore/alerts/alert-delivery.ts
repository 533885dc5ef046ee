/**
 * Sends queued e-mails (alert_deliveries rows): each is composed in its recipient's language and
 * sent through the relays in failover order; the outcome and the relay used (or every relay's
 * error) are recorded on the row. The `alerts.deliver` job runs this and fails while any delivery
 * failed, so the job runner tries the failed ones again later.
 */
import { z } from 'zod';
import { StrikerError } from '../../../striker/core/errors/index.js';
import { columnContext } from '../../../striker/core/secrets/index.js';
import type { DbReader, DbWriter } from '../../../striker/db/database.js';
import { defineJobKind, type JobKindDefinition } from '../../../striker/jobs/job-kind.js';
import { insertJob } from '../../../striker/jobs/job-store.js';
import { alertSecrets, findAlert, findDeliveries, listMailServers, recordDeliveryAttempt, type DeliveryRow, type MailServerRow } from './alert-store.js';
import type { AlertsDeps } from './alerts-deps.js';
import { composeAlertMail, composeTestMail, type Mail } from './compose-mail.js';
import { describeRelayErrors, relayLabel, sendThroughRelays, type Relay, type RelayOutcome } from './smtp-relay.js';

export const DELIVER_KIND = 'alerts.deliver';
const MAX_ATTEMPTS = 6;
const deliverPayload = z.strictObject({ deliveries: z.array(z.uuid()).min(1).max(1000) });

/** Queues a job that sends these deliveries (in the caller's transaction). */
export async function enqueueDelivery(q: DbWriter, deliveryIds: readonly string[]): Promise<string> {
  const payload = deliverPayload.parse({ deliveries: deliveryIds });
  return (await insertJob(q, { kind: DELIVER_KIND, payload, maxAttempts: MAX_ATTEMPTS, retryOnStale: true, message: `Sending ${deliveryIds.length} alert e-mail(s)` })).id;
}

export function deliverJobKind(deps: AlertsDeps): JobKindDefinition {
  return defineJobKind({
    kind: DELIVER_KIND,
    title: 'Send alert e-mails',
    payload: deliverPayload,
    maxAttempts: MAX_ATTEMPTS,
    onStale: 'retry',
    // 1, 2, 4, 8, 16 minutes between tries.
    retryDelaySeconds: (attempt) => 60 * 2 ** Math.max(0, attempt - 1),
    async run(ctx) {
      const results = await deliver(deps, ctx.payload.deliveries);
      const failed = results.filter((r) => r.status === 'failed');
      await ctx.progress(99, 'Sent {sent} of {total} alert e-mail(s)', { sent: results.length - failed.length, total: results.length });
      if (failed.length > 0) {
        throw new StrikerError('COMMAND_FAILED', `${failed.length} alert e-mail(s) could not be sent: ${failed.map((f) => `${f.email}: ${f.error}`).join(' | ')}`, { details: { failed } });
      }
    },
  });
}

export interface DeliveryResult {
  id: string;
  email: string;
  status: 'sent' | 'failed';
  serverId: string | null;
  error: string | null;
}

/** Sends every delivery of `ids` not yet sent; returns each one's outcome. */
export async function deliver(deps: AlertsDeps, ids: readonly string[]): Promise<DeliveryResult[]> {
  const rows = (await findDeliveries(deps.db, ids)).filter((d) => d.status !== 'sent');
  if (rows.length === 0) return [];
  const relays = await openRelays(deps, deps.db);
  const results: DeliveryResult[] = [];
  for (const d of rows) {
    const mail = await composeDelivery(deps, d, relays);
    const outcome = mail === undefined ? gone(d) : await sendThroughRelays(relays, mail, { seconds: deps.settings.smtpTimeoutSeconds });
    results.push(await record(deps, d, outcome));
  }
  return results;
}

/** The relays in failover order, passwords opened. */
export async function openRelays(deps: AlertsDeps, q: DbReader): Promise<Relay[]> {
  return (await listMailServers(q)).map((s) => openRelay(deps, s));
}

export function openRelay(deps: Pick<AlertsDeps, 'keys'>, s: MailServerRow): Relay {
  const password = s.password === null ? null : deps.keys.decrypt(s.password, columnContext(alertSecrets.table, 'password'));
  return { id: s.id, host: s.host, port: s.port, security: s.security, username: s.username, password, sender: s.sender };
}

async function composeDelivery(deps: AlertsDeps, d: DeliveryRow, relays: readonly Relay[]): Promise<(Mail & { to: string; headers: Record<string, string> }) | undefined> {
  if (d.kind === 'test') {
    const first = relays[0];
    return { to: d.email, ...composeTestMail(deps.renderer, d.language, { recipient: d.email, relay: first ? relayLabel(first) : '-' }), headers: { 'X-Striker-Alert-Level': 'test' } };
  }
  const alert = d.alertId === null ? undefined : await findAlert(deps.db, d.alertId);
  if (alert === undefined) return undefined;
  return {
    to: d.email,
    ...composeAlertMail(deps.renderer, d.language, d.kind, alert),
    headers: { 'X-Striker-Alert-Level': alert.level, 'X-Striker-Alert-Host': alert.host, 'X-Striker-Alert-Kind': d.kind, 'X-Striker-Alert-Id': alert.id },
  };
}

function gone(d: DeliveryRow): RelayOutcome {
  return { ok: false, errors: [{ relayId: '', relay: '', message: `the alert of delivery ${d.id} no longer exists` }] };
}

async function record(deps: AlertsDeps, d: DeliveryRow, outcome: RelayOutcome): Promise<DeliveryResult> {
  const result: DeliveryResult = outcome.ok
    ? { id: d.id, email: d.email, status: 'sent', serverId: outcome.relayId, error: null }
    : { id: d.id, email: d.email, status: 'failed', serverId: null, error: describeRelayErrors(outcome.errors) };
  await recordDeliveryAttempt(deps.db, d.id, { status: result.status, serverId: result.serverId, error: result.error, at: deps.clock() });
  if (result.status === 'failed') deps.logger.warn({ delivery: d.id, to: d.email, error: result.error }, 'an alert e-mail could not be sent');
  return result;
}
