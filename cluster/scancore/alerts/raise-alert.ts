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
import { escalateAlert, heldAlertsForUpdate, insertAlert, insertDelivery, listRecipients, openAlertForUpdate, updateAlertState, type AlertRow } from './alert-store.js';
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
export const clearInput = z.strictObject({ ...condition, messageKey: messageKey.optional(), variables: variables.default({}) });
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

/** Clears a condition; nothing happens when it is not open. */
export async function clearAlert(deps: AlertsDeps, input: ClearAlert): Promise<AlertChange> {
  const c = parseOrThrow(clearInput, input, 'alert clear');
  const now = deps.clock();
  return deps.db.tx(async (t) => {
    const open = await openAlertForUpdate(t, c.source, c.host, c.key);
    if (open === undefined) return { alertId: null, state: null, sent: null, deliveries: 0 };
    return apply(deps, t, open, 'clear', now, c.messageKey === undefined ? undefined : { key: c.messageKey, variables: c.variables });
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

async function queueDeliveries(t: DbTx, a: Pick<AlertRow, 'id' | 'level' | 'host'>, kind: 'set' | 'clear'): Promise<number> {
  const ids: string[] = [];
  for (const r of selectRecipients(await listRecipients(t), a)) {
    ids.push(await insertDelivery(t, { alertId: a.id, kind, recipientId: r.id, email: r.email, language: r.language }));
  }
  if (ids.length > 0) await enqueueDelivery(t, ids);
  return ids.length;
}

function holdMs(deps: AlertsDeps): number {
  return deps.settings.holdSeconds * 1000;
}
