/**
 * Cluster membership and where each resource runs, from `crm_mon --output-as=xml`. The XML is read
 * by the cluster area's parser (cluster/crm-mon-parser.ts, or one handed in as `parseClusterStatus`
 * by tests); this agent only maps it to readings, so there is one crm_mon parser in the project.
 */
import type { Reading } from '../reading.js';
import { parseCrmMon } from '../../crm-mon-parser.js';
import { isServer, type ClusterStatus, type ScanAgent, type ScanContext } from './scan-agent.js';

export const crmMonArgv = ['crm_mon', '--one-shot', '--output-as=xml'] as const;

export function clusterReadings(status: ClusterStatus): Reading[] {
  return [
    ...status.nodes.map((n): Reading => ({ agent: 'cluster', metric: 'cluster.node', subject: n.name, value: n.online, status: n.online ? 'ok' : 'critical', ...(n.online ? {} : { message: `${n.name} is not online in the cluster` }) })),
    ...status.resources.filter(isServer).map((r): Reading => {
      const where = r.nodes.length === 0 ? null : r.nodes.join(' ');
      return { agent: 'cluster', metric: 'cluster.server', subject: r.id, value: where, status: where === null ? 'warning' : 'ok', ...(where === null ? { message: `${r.id} is not running` } : {}) };
    }),
  ];
}

export const clusterAgent: ScanAgent = {
  name: 'cluster',
  runsOn: 'host',
  applies: (targets) => targets.clusterNode === true,
  async scan({ run, timeoutMs, signal, parseClusterStatus }: ScanContext): Promise<Reading[]> {
    const result = await run(crmMonArgv, { timeoutMs, signal });
    return clusterReadings((parseClusterStatus ?? parseCrmMon)(result.stdout));
  },
};
