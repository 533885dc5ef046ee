/**
 * What a scan agent is: a name, where it runs, whether it has anything to read for a host, and a
 * scan that runs its commands (argv arrays through the command adapter, each with the time limit
 * it is given) and turns the parsed output into readings. A new agent is one file plus its parser,
 * listed in `registry.ts`.
 */
import type { CommandRunner } from '../../../striker/core/command/run-command.js';
import type { Reading } from '../reading.js';

export const agentNames = ['ipmi', 'ups', 'cluster', 'drbd', 'links', 'storage', 'servers'] as const;
export type AgentName = (typeof agentNames)[number];

/** A BMC reached with `ipmitool -I lanplus`; the password goes through the environment (`-E`), never argv. */
export interface IpmiTarget {
  address: string;
  port?: number;
  username: string;
  password: string;
  /** Cipher suite; 3 avoids ipmitool's slow cipher probe against BMCs that support it. */
  cipher?: number;
}

/** A UPS served by NUT's upsd: `upsc <upsName>@<address>[:<port>]`. */
export interface UpsTarget {
  /** The name the manifest gives the UPS (what readings and decisions call it). */
  name: string;
  upsName: string;
  address: string;
  port?: number;
}

/** What there is to read for one host; an agent whose target is missing does not apply. */
export interface ScanTargets {
  ipmi?: IpmiTarget;
  upses?: UpsTarget[];
  /** Block devices for `smartctl`. */
  disks?: string[];
  /** md arrays for `mdadm --detail`. */
  arrays?: string[];
  /** libvirt connection URI for `virsh -c`. */
  libvirtUri?: string;
  /** The host is a cluster node (runs pacemaker and DRBD). */
  clusterNode?: boolean;
}

/**
 * What ScanCore needs of the cluster: which nodes are online and where each resource runs. The
 * cluster area's crm_mon parser returns a superset of this shape, so it can be passed as it is.
 */
export interface ClusterStatus {
  nodes: readonly { name: string; online: boolean }[];
  resources: readonly ClusterResource[];
}

export interface ClusterResource {
  id: string;
  /** `class:provider:type`, e.g. `stonith:fence_ipmilan`. */
  agent: string;
  /** Nodes it runs on (empty when stopped). */
  nodes: readonly string[];
  /** Set for an instance of a clone (DRBD, for one): not a server. */
  clone?: string;
}

/** A server: a resource that is neither a fence device nor a clone instance. */
export function isServer(resource: ClusterResource): boolean {
  return !resource.agent.startsWith('stonith:') && resource.clone === undefined;
}

/** Parses `crm_mon --output-as=xml`; supplied by the cluster area through the app. */
export type ClusterStatusParser = (xml: string) => ClusterStatus;

export interface ScanContext {
  run: CommandRunner;
  /** Time limit for each command the agent runs. */
  timeoutMs: number;
  targets: ScanTargets;
  parseClusterStatus?: ClusterStatusParser;
  signal?: AbortSignal;
}

export interface ScanAgent {
  name: AgentName;
  /** `host`: runs on the node itself; `striker`: read over the network (BMCs, UPSes). */
  runsOn: 'host' | 'striker';
  applies(targets: ScanTargets): boolean;
  scan(context: ScanContext): Promise<Reading[]>;
}
