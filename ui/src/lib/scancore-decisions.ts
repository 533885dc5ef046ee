/**
 * ScanCore's decisions and maintenance mode as the ScanCore page shows them: the API's types as
 * they arrive, each decision told in plain words (for a reader with no HA experience), the nodes
 * it concerns, and what became of it (acted and done, acting, failed, not acted and why). Pure.
 */
import type { MaintenanceState, ScancoreDecisionsResponse } from '../../../cluster/scancore/index.js';
import type { Wire } from './wire.js';

export type ScancoreDecisions = Wire<ScancoreDecisionsResponse>;
export type ScancoreDecision = ScancoreDecisions['decisions'][number];
export type ScancoreMaintenance = { pairs: Wire<MaintenanceState>[] };

/** The outcome filter's values, as the API takes them, with their words. */
export const outcomeChoices = [
  { value: 'acted', label: 'acted' },
  { value: 'not-acted', label: 'not acted' },
  { value: 'failed', label: 'failed' },
] as const;

const causeWords: Record<ScancoreDecision['cause'], string> = {
  health: 'health',
  power: 'power',
  thermal: 'temperature',
};

/** Why ScanCore decided, in a word: health, power or temperature. */
export function causeText(cause: ScancoreDecision['cause']): string {
  return causeWords[cause] ?? cause;
}

const servers = (list: readonly string[]): string => (list.length === 0 ? 'no servers' : list.length === 1 ? `server ${list[0]}` : `servers ${list.join(', ')}`);
/** The verb as its subject (a list of one, or of several) needs it. */
const verb = (list: readonly string[], one: string, several: string): string => (list.length === 1 ? one : several);
const sentence = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** A short title and a sentence saying what the decision does, in plain words. */
export function decisionWords(d: ScancoreDecision['decision']): { title: string; text: string } {
  switch (d.kind) {
    case 'migrate-servers':
      return {
        title: 'Move servers to the healthier node',
        text: `${d.from} was less healthy than ${d.to} for longer than the grace period, so ${servers(d.servers)} ${verb(d.servers, 'moves', 'move')} live to ${d.to} (they keep running while they move).`,
      };
    case 'withdraw-node':
      return {
        title: d.cause === 'power' ? 'Shed load to save battery' : d.cause === 'thermal' ? 'Take a hot node out' : 'Take a node out',
        text:
          d.cause === 'power'
            ? `Every UPS is on battery: ${d.to} takes ${servers(d.servers)}, and ${d.node} leaves the cluster and powers off, so the batteries last longer.`
            : d.cause === 'thermal'
              ? `${d.node} is too hot: ${servers(d.servers)} ${verb(d.servers, 'moves', 'move')} to ${d.to}, and ${d.node} leaves the cluster and powers off before the heat damages it.`
              : sentence(`${servers(d.servers)} ${verb(d.servers, 'moves', 'move')} to ${d.to}, and ${d.node} leaves the cluster and powers off.`),
      };
    case 'shutdown':
      return {
        title: d.cause === 'power' ? 'Shut down before the batteries run out' : d.cause === 'thermal' ? 'Shut down: still too hot' : 'Shut down',
        text: `${d.servers.length === 0 ? '' : `${sentence(servers(d.servers))} ${verb(d.servers, 'shuts', 'shut')} down cleanly, then `}${d.nodes.join(' and ')} ${verb(d.nodes, 'powers', 'power')} off${d.cause === 'power' ? ': the UPSes cannot hold on much longer' : d.cause === 'thermal' ? ': the last node on stayed too hot' : ''}.`,
      };
    case 'boot-nodes':
      return {
        title: d.cause === 'power' ? 'Power is back: boot the nodes' : d.cause === 'thermal' ? 'Cooled down: boot the nodes' : 'Boot the nodes',
        text: `${d.nodes.join(' and ')} ${verb(d.nodes, 'is', 'are')} powered on through ${verb(d.nodes, 'its BMC', 'their BMCs')}${d.servers.length > 0 ? `, then ${servers(d.servers)} ${verb(d.servers, 'starts', 'start')} again` : ''}.`,
      };
  }
}

/** The nodes a decision concerns, in the order it reads: from → to, or the nodes it acts on. */
export function decisionNodes(d: ScancoreDecision['decision']): { from: string[]; to: string[] } {
  switch (d.kind) {
    case 'migrate-servers':
      return { from: [d.from], to: [d.to] };
    case 'withdraw-node':
      return { from: [d.node], to: [d.to] };
    case 'shutdown':
    case 'boot-nodes':
      return { from: d.nodes, to: [] };
  }
}

export type DecisionResultState = 'done' | 'acting' | 'failed' | 'not-acted';

/**
 * What became of a decision: not acted (and why); failed, once one of its jobs failed, was
 * cancelled or interrupted; acting while one is queued or running; done when all succeeded (or
 * its jobs are no longer stored).
 */
export function decisionResult(d: Pick<ScancoreDecision, 'outcome' | 'notActedReason' | 'jobs'>): { state: DecisionResultState; text: string } {
  if (d.outcome === 'not-acted') return { state: 'not-acted', text: `not acted: ${(d.notActedReason ?? '').replace(/^not acted:\s*/i, '') || 'no reason recorded'}` };
  const failed = d.jobs.filter((j) => j.status === 'failed' || j.status === 'cancelled' || j.status === 'interrupted');
  if (failed.length > 0) return { state: 'failed', text: `failed: ${failed.map((j) => `${j.kind} ${j.status}`).join(', ')}` };
  if (d.jobs.some((j) => j.status === 'queued' || j.status === 'running')) return { state: 'acting', text: 'acting: its jobs are under way' };
  return { state: 'done', text: 'acted' };
}

/** Host ids by pair and node name, for links to the hosts' pages. */
export function hostIndex(nodes: ScancoreDecisions['nodes']): (pair: string, node: string) => string | undefined {
  const index = new Map(nodes.map((n) => [`${n.pair}\u0000${n.node}`, n.hostId]));
  return (pair, node) => index.get(`${pair}\u0000${node}`);
}
