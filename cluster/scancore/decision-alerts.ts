/**
 * What ScanCore tells the admin about its decisions, as alert conditions (alerts/): pure, from a
 * round's decisions, the pair's view and the engine's memory to the raises and clears to make.
 *
 * Each decision raises the condition `<cause>:<kind>` of its pair (the alert's host is the pair's
 * id) at a level by decision: `shutdown` critical; `withdraw-node` (load shed, thermal) warning;
 * `migrate-servers` and `boot-nodes` notice. A cause's conditions are cleared together, with one
 * message saying what ended, once the cause is over and the pair is whole again: no action of the
 * pair running, both nodes in the cluster, and
 * - health: the engine no longer sees one node sicker than the other;
 * - power: no UPS feeding the pair on battery, no node off for power;
 * - thermal: no node hot, no node off for heat.
 * The clear names one condition and the cause's others in `with`: the alerts area closes them all
 * and sends one clear (from the most severe one whose set was sent) to everyone who received any
 * of their sets, so a power cut that shed load, shut down and booted ends in one "power is back"
 * e-mail. De-bouncing is the alerts area's: a repeated raise of an open condition sends nothing,
 * and a set and clear that flap inside its hold window send nothing.
 */
import type { AlertLevel } from './alerts/index.js';
import type { Decision, DecisionCause, PairMemory } from './decide.js';
import type { PairView } from './pair-view.js';

export const alertSource = 'scancore';

export interface AlertRaise {
  op: 'raise';
  host: string;
  key: string;
  level: AlertLevel;
  messageKey: string;
  variables: Record<string, string>;
}

export interface AlertClear {
  op: 'clear';
  host: string;
  key: string;
  /** The cause's other conditions, cleared with `key` (one clear message for them all). */
  with: string[];
  messageKey: string;
  variables: Record<string, string>;
}

const kinds: readonly Decision['kind'][] = ['migrate-servers', 'withdraw-node', 'shutdown', 'boot-nodes'];
const causes: readonly DecisionCause[] = ['health', 'power', 'thermal'];

export const decisionAlertKey = (cause: DecisionCause, kind: Decision['kind']) => `${cause}:${kind}`;

const list = (items: readonly string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);

/**
 * The alert a decision raises, given the pair's view it was decided on (a thermal withdrawal with
 * both nodes hot is load shedding). `notActed` says why it was not carried out (maintenance mode).
 */
export function decisionAlert(decision: Decision, view: PairView, notActed?: string): AlertRaise {
  const reason = decision.reasons.join('; ') + (notActed === undefined ? '' : ` (${notActed})`);
  const base = { op: 'raise' as const, host: decision.pair, key: decisionAlertKey(decision.cause, decision.kind) };
  switch (decision.kind) {
    case 'migrate-servers':
      return { ...base, level: 'notice', messageKey: 'scancore.decision.migrate', variables: { from: decision.from, to: decision.to, servers: list(decision.servers), reason } };
    case 'withdraw-node':
      return decision.cause === 'thermal' && !view.nodes.every((n) => n.temperature === 'critical')
        ? { ...base, level: 'warning', messageKey: 'scancore.decision.withdraw', variables: { node: decision.node, survivor: decision.to, servers: list(decision.servers), reason } }
        : { ...base, level: 'warning', messageKey: 'scancore.decision.shed_load', variables: { node: decision.node, survivor: decision.to, servers: list(decision.servers), reason } };
    case 'shutdown':
      return { ...base, level: 'critical', messageKey: 'scancore.decision.shutdown', variables: { node: list(decision.nodes), servers: list(decision.servers), reason } };
    case 'boot-nodes':
      return { ...base, level: 'notice', messageKey: 'scancore.decision.boot', variables: { node: list(decision.nodes), servers: list(decision.servers), reason } };
  }
}

/** Whether the engine's memory says a cause's condition still holds for the pair. */
export function causeActive(cause: DecisionCause, m: PairMemory | undefined): boolean {
  if (m === undefined) return false;
  const off = Object.values(m.poweredOff);
  switch (cause) {
    case 'health':
      return m.imbalance !== undefined;
    case 'power':
      return m.onBatterySince !== undefined || off.some((o) => o.cause === 'power');
    case 'thermal':
      return Object.keys(m.hotSince).length > 0 || off.some((o) => o.cause === 'thermal');
  }
}

const clearMessage: Record<DecisionCause, string> = {
  health: 'scancore.decision.health_balanced',
  power: 'scancore.decision.power_restored',
  thermal: 'scancore.decision.thermal_normal',
};

/** The decision conditions a clear of a cause closes: its `key` and those `with` it. */
export const clearedKeys = (c: Pick<AlertClear, 'key' | 'with'>): string[] => [c.key, ...c.with];

/**
 * The clears due for a pair after a round: one per cause that has ended, closing every decision
 * condition of the cause (`<cause>:migrate-servers` with the other kinds in `with`).
 */
export function endedConditions(view: PairView, memory: PairMemory | undefined): AlertClear[] {
  if (view.actionInProgress || !view.nodes.every((n) => n.inCluster)) return [];
  return causes
    .filter((c) => !causeActive(c, memory))
    .map((c) => {
      const [first, ...rest] = kinds.map((k) => decisionAlertKey(c, k));
      return { op: 'clear' as const, host: view.id, key: first!, with: rest, messageKey: clearMessage[c], variables: { pair: view.id, nodes: list(view.nodes.map((n) => n.name)) } };
    });
}
