/**
 * What ScanCore and other areas call: raise a condition, clear it, and (on a timer) release what
 * the de-bounce held. Each call runs in one transaction: the occurrence's state moves by
 * `debounceStep`, and when something is to be sent, one delivery per selected recipient is
 * queued with the job that sends them.
 */
import { z } from 'zod';
import { parseOrThrow } from '../../../striker/core/validation/zod-problems.js';
import type { DbTx } from '../../../striker/db/database.js';
import { ALERT_LEVELS, severityRank } from './alert-level.js';
import { enqueueDelivery } from './alert-delivery.js';
import { escalateAlert, heldAlertsForUpdate, insertAlert, insertDelivery, listRecipients, openAlertForUpdate, setRecipientsOfClear, updateAlertState, type AlertRow } from './alert-store.js';
import type { AlertsDeps } from './alerts-deps.js';
import { debounceStep, type AlertState, type DebounceInput } from './debounce.js';
import { selectRecipients } from './recipient-selection.js';

const variables = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).max(64), z.union([z.string().max(2000), z.number(), z.boolean(), z.null()])).refine((v) => Object.keys(v).length <= 50, 'at most 50 variables');
const condition = {
  source: z.string().regex(/^[a-z][a-z0-9_.-]{0,62}$/, 'lower-case letters, digits, _ . - (at most 63)'),
  host: z.string().min(1).max(253),
  key: z.string().min(1).max(200),
};
const messageKey = z.string().regex(/^[a-z][a-z0-9_.]{0,99}$/, 'a message key such as scancore.ups.on_battery');

export const raiseInput = z.strictObject({ ...condition, level: z.enum(ALERT_LEVELS), messageKey, variables: variables.default({}) });
export const clearInput = z.strictObject({
  ...condition,
  messageKey: messageKey.optional(),
  variables: variables.default({}),
  /**
   * Other conditions of the same source and host that end with this one (one cause's alerts):
   * all are closed, but only the most severe of them whose set was sent sends a clear.
   */
  with: z.array(condition.key).max(50).default([]),
});
export type RaiseAlert = z.input<typeof raiseInput>;
export type ClearAlert = z.input<typeof clearInput>;

export interface AlertChange {
  alertId: string | null;
  state: AlertState['phase'] | null;
  sent: 'set' | 'clear' | null;
  /** Deliveries queued by this call. */
  deliveries: number;
}

/** Raises a condition (a repeat of an open one changes nothing). */
export async function raiseAlert(deps: AlertsDeps, input: RaiseAlert): Promise<AlertChange> {
  const a = parseOrThrow(raiseInput, input, 'alert');
  const now = deps.clock();
  return deps.db.tx(async (t) => {
    const open = await openAlertForUpdate(t, a.source, a.host, a.key);
    if (open !== undefined) return repeat(deps, t, open, a, now);
    const step = debounceStep(undefined, 'set', now, holdMs(deps));
    const s = step.state!;
    const id = await insertAlert(t, { source: a.source, host: a.host, key: a.key, level: a.level, messageKey: a.messageKey, variables: a.variables, state: s.phase, stateSince: s.since, setSent: s.setSent, raisedAt: now });
    if (id === undefined) {
      // Raised at the same moment by another transaction: this set is its repeat.
      const raced = await openAlertForUpdate(t, a.source, a.host, a.key);
      return raced === undefined ? { alertId: null, state: null, sent: null, deliveries: 0 } : repeat(deps, t, raced, a, now);
    }
    const deliveries = step.send === null ? 0 : await queueDeliveries(t, { id, level: a.level, host: a.host }, step.send);
    return { alertId: id, state: s.phase, sent: step.send, deliveries };
  });
}

/**
 * Clears a condition, and the conditions named in `with` together with it; nothing happens for
 * one that is not open. Of the open ones whose set was sent, the most severe (the latest raised
 * on a tie) is cleared as usual — its clear de-bounced and sent; every other one is closed
 * silently: recorded as cleared with the clear message, no e-mail. The one clear goes to the
 * recipients its level reaches and to every recipient who received a set of the conditions
 * closed with it, so the admin gets one clear per ended cause. Returns the change of the
 * condition that sent (or holds) the clear, else of `key`.
 */
export async function clearAlert(deps: AlertsDeps, input: ClearAlert): Promise<AlertChange> {
  const c = parseOrThrow(clearInput, input, 'alert clear');
  const now = deps.clock();
  const message = c.messageKey === undefined ? undefined : { key: c.messageKey, variables: c.variables };
  const keys = [c.key, ...c.with.filter((k) => k !== c.key)];
  return deps.db.tx(async (t) => {
    const open: AlertRow[] = [];
    for (const key of keys) {
      const a = await openAlertForUpdate(t, c.source, c.host, key);
      if (a !== undefined) open.push(a);
    }
    const lead = open
      .filter((a) => a.setSent)
      .reduce<AlertRow | undefined>((best, a) => (best === undefined || severityRank(a.level) < severityRank(best.level) || (a.level === best.level && a.raisedAt > best.raisedAt) ? a : best), undefined);
    let change: AlertChange = { alertId: null, state: null, sent: null, deliveries: 0 };
    for (const a of open) {
      if (lead !== undefined && a.setSent && a !== lead) {
        await closeSilently(t, a, now, message);
        if (a.key === c.key && change.alertId === null) change = { alertId: a.id, state: 'cleared', sent: null, deliveries: 0 };
        continue;
      }
      const applied = await apply(deps, t, a, 'clear', now, message);
      if (a === lead || (a.key === c.key && lead === undefined)) change = applied;
    }
    return change;
  });
}

/** Closes an occurrence without a clear e-mail: another condition's clear speaks for it. */
async function closeSilently(t: DbTx, a: AlertRow, now: Date, message: { key: string; variables: Record<string, unknown> } | undefined): Promise<void> {
  await updateAlertState(t, a.id, {
    state: 'cleared',
    stateSince: now,
    setSent: a.setSent,
    clearSent: false,
    clearedAt: now,
    ...(message === undefined ? {} : { clearMessageKey: message.key, clearVariables: message.variables }),
  });
}

/** Sends what the de-bounce held for its full window. */
export async function flushHeldAlerts(deps: AlertsDeps): Promise<AlertChange[]> {
  const now = deps.clock();
  return deps.db.tx(async (t) => {
    const held = await heldAlertsForUpdate(t, new Date(now.getTime() - holdMs(deps)));
    const changes: AlertChange[] = [];
    for (const a of held) changes.push(await apply(deps, t, a, 'tick', now));
    return changes;
  });
}

/**
 * A set for an open occurrence: a repeat changes nothing, but a more severe level escalates it —
 * the level and message are replaced, and a set already sent is sent again at the new level.
 */
async function repeat(deps: AlertsDeps, t: DbTx, open: AlertRow, a: z.output<typeof raiseInput>, now: Date): Promise<AlertChange> {
  if (severityRank(a.level) >= severityRank(open.level)) return apply(deps, t, open, 'set', now);
  await escalateAlert(t, open.id, { level: a.level, messageKey: a.messageKey, variables: a.variables });
  const escalated = { ...open, level: a.level, messageKey: a.messageKey, variables: a.variables };
  if (!open.setSent) return apply(deps, t, escalated, 'set', now);
  await updateAlertState(t, open.id, { state: 'raised', stateSince: now, setSent: true, clearSent: false, clearedAt: null });
  return { alertId: open.id, state: 'raised', sent: 'set', deliveries: await queueDeliveries(t, escalated, 'set') };
}

async function apply(deps: AlertsDeps, t: DbTx, a: AlertRow, input: DebounceInput, now: Date, clearMessage?: { key: string; variables: Record<string, unknown> }): Promise<AlertChange> {
  const before: AlertState = { phase: a.state, since: a.stateSince, setSent: a.setSent, clearSent: a.clearSent };
  const step = debounceStep(before, input, now, holdMs(deps));
  const s = step.state!;
  if (s !== before) {
    await updateAlertState(t, a.id, {
      state: s.phase,
      stateSince: s.since,
      setSent: s.setSent,
      clearSent: s.clearSent,
      clearedAt: s.phase === 'cleared' ? (a.clearedAt ?? now) : s.phase === 'clearing' ? now : null,
      ...(clearMessage === undefined ? {} : { clearMessageKey: clearMessage.key, clearVariables: clearMessage.variables }),
    });
  }
  const deliveries = step.send === null ? 0 : await queueDeliveries(t, a, step.send);
  return { alertId: a.id, state: s.phase, sent: step.send, deliveries };
}

/**
 * Queues one delivery per recipient: those the alert's level reaches, and for a clear also every
 * recipient who received a set of it or of the conditions closed silently with it.
 */
async function queueDeliveries(t: DbTx, a: Pick<AlertRow, 'id' | 'level' | 'host'>, kind: 'set' | 'clear'): Promise<number> {
  const ids: string[] = [];
  const recipients = await listRecipients(t);
  const informed = kind === 'clear' ? new Set(await setRecipientsOfClear(t, a.id)) : new Set<string>();
  const selected = new Set(selectRecipients(recipients, a).map((r) => r.id));
  for (const r of recipients.filter((x) => selected.has(x.id) || informed.has(x.id))) {
    ids.push(await insertDelivery(t, { alertId: a.id, kind, recipientId: r.id, email: r.email, language: r.language }));
  }
  if (ids.length > 0) await enqueueDelivery(t, ids);
  return ids.length;
}

function holdMs(deps: AlertsDeps): number {
  return deps.settings.holdSeconds * 1000;
}
