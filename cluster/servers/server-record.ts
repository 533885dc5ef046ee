/**
 * A server as the servers table keeps it (migration 0026) and as the API shows it.
 */

export const serverStates = ['provisioning', 'provision-failed', 'stopped', 'starting', 'running', 'migrating', 'stopping', 'failed', 'unknown'] as const;
export type ServerState = (typeof serverStates)[number];

/** Provisioning steps in order; `rolled-back` ends a failed provisioning. */
export const provisionSteps = ['allocated', 'rendered', 'node2', 'node1', 'done', 'rolled-back'] as const;
export type ProvisionStep = (typeof provisionSteps)[number];

export interface ServerHost {
  key: 'node1' | 'node2' | 'dr';
  /** The host's short name, like an-a01n01. */
  name: string;
  /** The host's agent id (its machine's MAC, dashed). */
  hostId: string;
  snAddress: string;
  /** The host's address on the migration network (MN), when the pair has one. */
  mnAddress?: string | undefined;
}

export interface ServerNetwork {
  network: string;
  mac?: string | undefined;
}

export interface Server {
  id: string;
  name: string;
  anvil: string;
  vcpus: number;
  memoryMiB: number;
  diskGiB: number;
  /** The ISOs' paths on the subnodes. */
  installIso: string | null;
  driverIso: string | null;
  /** The `files` rows the ISOs were named by (their paths then lie in files.hostDirectory); null for a path given as such. */
  installIsoFile: string | null;
  driverIsoFile: string | null;
  osVariant: string;
  networks: ServerNetwork[];
  hosts: ServerHost[];
  drbdMinor: number;
  drbdPort: number;
  preferredNode: 'node1' | 'node2';
  liveMigration: boolean;
  state: ServerState;
  runningOn: string | null;
  provisionStep: ProvisionStep;
  provisionJob: string | null;
  provisionHostJobs: { node1: string; node2: string } | null;
  provisionError: string | null;
  createdAt: Date;
  modifiedAt: Date;
}

export interface ServerMigration {
  id: string;
  serverName: string;
  anvil: string;
  fromNode: string;
  toNode: string;
  kind: 'live' | 'cold';
  outcome: 'succeeded' | 'failed';
  startedAt: Date;
  durationMs: number;
  downtimeMs: number | null;
  jobId: string | null;
}

/** One version of a server's libvirt definition (migration 0041). */
export interface ServerDefinition {
  serverName: string;
  version: number;
  xml: string;
  /** SHA-256 of the normalised XML (domain-definition.ts). */
  hash: string;
  baseVersion: number | null;
  source: 'rendered' | 'node' | 'settled';
  reportedBy: string | null;
  createdAt: Date;
}

/** Two nodes' different changes from the same version: the first kept, the other waiting for a person. */
export interface DefinitionConflict {
  id: string;
  serverName: string;
  baseVersion: number;
  keptVersion: number;
  keptBy: string | null;
  keptXml: string;
  keptHash: string;
  otherBy: string;
  otherXml: string;
  otherHash: string;
  state: 'open' | 'settled';
  chosen: 'kept' | 'other' | null;
  settledVersion: number | null;
  settledBy: string | null;
  settledAt: Date | null;
  createdAt: Date;
}

/** Striker's answer to a node reporting its changed definition. */
export type DefinitionReportAnswer =
  | { outcome: 'unchanged' | 'accepted'; version: number; jobId?: string }
  | { outcome: 'conflict'; version: number; conflictId: string };
