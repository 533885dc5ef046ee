/**
 * The host side of ScanCore's live loop: what a host agent runs every `scan.intervalSeconds`
 * (one scan cycle of the `host` agents not disabled for it) and the report it POSTs to
 * `/api/agent/scan`. The report's schema is here too, so the agent that sends it and the Striker
 * route that validates it share one definition. The agent runtime owns the timer; the app injects
 * this loop into it (striker/app/agent-run.ts).
 */
import { z } from 'zod';
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import { agentNames, type ClusterStatusParser, type ScanTargets } from './agents/scan-agent.js';
import { runScanCycle } from './scan-cycle.js';
import { clusterReportSchema } from '../ops/cluster-report.js';
import type { ScancoreConfig } from './scancore-config.js';

/** The most readings one report may carry (a large host has a few hundred). */
export const maxReadingsPerReport = 5000;

const readingSchema = z.strictObject({
  agent: z.string().min(1).max(40).regex(/^[a-z][a-z0-9-]*$/, 'must be a scan agent name like ipmi'),
  metric: z.string().min(1).max(100).regex(/^[a-z][a-z0-9.-]*$/, 'must be a dotted metric name like ipmi.fan'),
  subject: z.string().min(1).max(200),
  value: z.union([z.number().finite(), z.string().max(500), z.boolean(), z.null()]),
  unit: z.string().max(20).optional(),
  status: z.enum(['ok', 'warning', 'critical', 'unknown']),
  message: z.string().max(1000).optional(),
});

export const scanReportSchema = z.strictObject({
  readings: z.array(readingSchema).max(maxReadingsPerReport),
  outcomes: z.array(z.strictObject({
    agent: z.enum(agentNames),
    ok: z.boolean(),
    readings: z.number().int().min(0).max(maxReadingsPerReport),
    error: z.string().max(2000).optional(),
  })).max(agentNames.length),
  /** A cluster node's view of its cluster (cluster/ops/cluster-report.ts), kept per pair by Striker. */
  cluster: clusterReportSchema.optional(),
});

export type ScanReport = z.output<typeof scanReportSchema>;

/** The shape the agent runtime takes (striker/agent AgentScanLoop). */
export interface HostScanLoop {
  intervalSeconds: number;
  scan(signal: AbortSignal): Promise<ScanReport>;
}

export interface HostScanLoopDeps {
  /** The host's name, which `scan.disabledAgents` is keyed by. */
  hostName: string;
  /** What there is to read on the host, asked again before each cycle. */
  targets: () => Promise<ScanTargets>;
  config: ScancoreConfig;
  run: CommandRunner;
  parseClusterStatus?: ClusterStatusParser;
}

export function hostScanLoop(deps: HostScanLoopDeps): HostScanLoop {
  return {
    intervalSeconds: deps.config.scan.intervalSeconds,
    async scan() {
      const targets = await deps.targets();
      const result = await runScanCycle({ hostName: deps.hostName, targets, runningOn: 'host' }, { run: deps.run, config: deps.config, parseClusterStatus: deps.parseClusterStatus });
      return {
        readings: result.readings.slice(0, maxReadingsPerReport).map((r) => ({ ...r, subject: r.subject.slice(0, 200), ...(r.message === undefined ? {} : { message: r.message.slice(0, 1000) }) })),
        outcomes: result.outcomes.map((o) => ({ ...o, ...(o.error === undefined ? {} : { error: o.error.slice(0, 2000) }) })),
      };
    },
  };
}

/** What a host's inventory says there is to scan (the fields used of striker/agent's Inventory). */
export interface InventoryDisks {
  disks: readonly { path: string; type: string; removable: boolean | null; children: readonly string[] }[];
}

/**
 * The host agents' targets from the host's inventory and role: its fixed disks for SMART, the md
 * arrays built on them, libvirt on nodes and DR hosts, pacemaker and DRBD on nodes.
 */
export function hostScanTargets(inventory: InventoryDisks, role: 'node' | 'dr' | 'striker'): ScanTargets {
  const fixed = inventory.disks.filter((d) => d.type === 'disk' && d.removable !== true);
  const arrays = [...new Set(fixed.flatMap((d) => d.children.filter((c) => /^md\d+$/.test(c)).map((c) => `/dev/${c}`)))].sort();
  return {
    disks: fixed.map((d) => d.path),
    arrays,
    ...(role === 'striker' ? {} : { libvirtUri: 'qemu:///system' }),
    clusterNode: role === 'node',
  };
}
