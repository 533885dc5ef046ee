/**
 * The install manifest as the API reads and answers it (v1; striker/manifest owns the schema),
 * and the answers of the manifest, plan, fence-agent and run routes the wizard reads.
 * Secrets go in as plaintext or `{ set: true }` ("keep the stored one") and always come back as
 * `{ set: boolean }`.
 */
export type NetworkKind = 'bcn' | 'sn' | 'ifn' | 'mn';
export type HostSlot = 'node1' | 'node2' | 'dr';
export type SecretIn = string | { set: true };
export interface SecretOut { set: boolean }

export interface NetworkDoc {
  kind: NetworkKind;
  index: number;
  subnet: string;
  gateway?: string;
  mtu: number;
}

export interface HostDoc<S> {
  machine: string;
  addresses: Record<string, string>;
  links: Record<string, { macs: string[] }>;
  ipmi?: { address: string; username: string; password: S; parameters?: Record<string, string | number | boolean> };
  pduOutlets?: Record<string, string>;
}

export interface FenceDeviceDoc<S> {
  name: string;
  agent: string;
  parameters: Record<string, string | number | boolean>;
  password?: S;
}

export interface UpsDoc<S> {
  name: string;
  source: 'nut' | 'snmp';
  address: string;
  upsName?: string;
  username?: string;
  password?: S;
  powers: HostSlot[];
}

export interface ManifestDoc<S = SecretIn> {
  version: 1;
  pair: { prefix: string; sequence: number; domain: string; description?: string };
  networks: NetworkDoc[];
  dns: string[];
  ntp: string[];
  hosts: { node1: HostDoc<S>; node2: HostDoc<S>; dr?: HostDoc<S> };
  fenceDevices: FenceDeviceDoc<S>[];
  upses: UpsDoc<S>[];
  clusterPassword: S;
}

/** A stored manifest as GET /api/manifests/:id answers it. */
export interface StoredManifest {
  id: string;
  name: string;
  document: ManifestDoc<SecretOut>;
  modifiedAt: string;
}

export interface ValidationAnswer {
  ok: boolean;
  problems: { path: string; message: string }[];
}

/** GET /api/fence-agents/:agent: the form generated from the agent's metadata. */
export interface FenceFormField {
  name: string;
  label?: string;
  type: 'boolean' | 'string' | 'integer' | 'second' | 'select';
  required: boolean;
  default?: string | number | boolean | null;
  help?: string;
  choices?: string[];
  secret: boolean;
  deprecated?: string[];
}

export interface FenceAgentForm {
  agent: string;
  description?: string;
  fields: FenceFormField[];
}

export interface FenceAgentSummary {
  name: string;
  description: string;
}
