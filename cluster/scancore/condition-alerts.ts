/**
 * What ScanCore tells the admin about the hardware it watches, beside its decisions
 * (decision-alerts.ts): pure, from a pair's view and the conditions open in the alerts area to the
 * raises and clears to make. Source `scancore.condition`.
 *
 * - A node's health conditions (health-conditions.ts, each with its `alert` level): every reason
 *   of its fresh health score is the condition `<condition id>:<subject>` of the node (the alert's
 *   host is the node's name), raised at the condition's level with the template
 *   `scancore.condition.<id>`. A condition open for the node is cleared
 *   (`scancore.condition.cleared`) only when a fresh reading of its subject no longer meets it:
 *   a reading gone stale (the node powered off, its agent silent) or gone (a disk removed) leaves
 *   the condition open, since nothing is known of it.
 * - Each fresh UPS feeding the pair (host: the pair's id): on battery `<ups>:on_battery` (warning),
 *   low battery `<ups>:low_battery` (critical); back on mains clears both with one message
 *   (`scancore.ups.on_mains`).
 *
 * Raises are for conditions not open yet (a repeat would send nothing anyway, the alerts area
 * de-bounces); a condition whose clear is held counts as not open, so a raise cancels the clear.
 */
import type { AlertLevel } from './alerts/index.js';
import { defaultHealthConditions, type HealthCondition } from './health-conditions.js';
import type { PairView } from './pair-view.js';
import type { TimedReading } from './reading.js';

export const conditionAlertSource = 'scancore.condition';

/** A condition the alerts area has open (pending or raised; not one whose clear is held). */
export interface OpenCondition {
  host: string;
  key: string;
}

export type ConditionChange =
  | { op: 'raise'; host: string; key: string; level: AlertLevel; messageKey: string; variables: Record<string, string> }
  | { op: 'clear'; host: string; key: string; with: string[]; messageKey: string; variables: Record<string, string> };

/** The catalogue key of a health condition's alert (`fan-failed` → `scancore.condition.fan_failed`). */
export const conditionMessageKey = (id: string): string => `scancore.condition.${id.replace(/-/g, '_')}`;

/**
 * The raises and clears due for a pair: `fresh` holds each node's readings younger than
 * `readings.staleAfterSeconds` (by node name), `open` the conditions of this source open for the
 * pair's nodes and the pair.
 */
export function conditionChanges(view: PairView, fresh: ReadonlyMap<string, readonly TimedReading[]>, open: readonly OpenCondition[], conditions: readonly HealthCondition[] = defaultHealthConditions): ConditionChange[] {
  const byId = new Map(conditions.map((c) => [c.id, c]));
  const isOpen = (host: string, key: string) => open.some((o) => o.host === host && o.key === key);
  const changes: ConditionChange[] = [];

  for (const node of view.nodes) {
    const held = new Set<string>();
    for (const r of node.health.reasons) {
      const level = byId.get(r.condition)?.alert;
      if (level === null || level === undefined) continue;
      const key = `${r.condition}:${r.subject}`;
      held.add(key);
      if (!isOpen(node.name, key)) {
        changes.push({ op: 'raise', host: node.name, key, level, messageKey: conditionMessageKey(r.condition), variables: { node: node.name, subject: r.subject, detail: r.detail ?? r.text } });
      }
    }
    const readings = fresh.get(node.name) ?? [];
    for (const o of open) {
      if (o.host !== node.name || held.has(o.key)) continue;
      const at = o.key.indexOf(':');
      const condition = byId.get(o.key.slice(0, at));
      const subject = o.key.slice(at + 1);
      if (condition === undefined || condition.kind !== 'reading') continue;
      const now = readings.find((r) => r.subject === subject && (condition.metric.endsWith('.') ? r.metric.startsWith(condition.metric) : r.metric === condition.metric));
      if (now === undefined) continue;
      changes.push({ op: 'clear', host: node.name, key: o.key, with: [], messageKey: 'scancore.condition.cleared', variables: { node: node.name, subject, detail: now.message ?? `${subject} is ${String(now.value)}${now.unit === undefined ? '' : ` ${now.unit}`}` } });
    }
  }

  for (const ups of view.upses) {
    if (!ups.fresh) continue;
    const onBattery = `${ups.name}:on_battery`;
    const low = `${ups.name}:low_battery`;
    const variables = { ups: ups.name, charge: ups.chargePct === null ? '?' : String(ups.chargePct), runtime: ups.runtimeS === null ? '?' : String(ups.runtimeS) };
    if (ups.onBattery && !isOpen(view.id, onBattery)) changes.push({ op: 'raise', host: view.id, key: onBattery, level: 'warning', messageKey: 'scancore.ups.on_battery', variables });
    if (ups.lowBattery && !isOpen(view.id, low)) changes.push({ op: 'raise', host: view.id, key: low, level: 'critical', messageKey: 'scancore.ups.low_battery', variables });
    if (!ups.onBattery && !ups.lowBattery && (isOpen(view.id, onBattery) || isOpen(view.id, low))) {
      changes.push({ op: 'clear', host: view.id, key: onBattery, with: [low], messageKey: 'scancore.ups.on_mains', variables: { ups: ups.name } });
    }
  }
  return changes;
}
