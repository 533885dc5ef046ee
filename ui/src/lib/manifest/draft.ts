/**
 * What the wizard's forms hold (text as typed, so a bad value reaches the server as it was typed
 * and comes back as a problem beside its field) and the two conversions: a draft to the manifest
 * document the API validates and stores, and a stored manifest back to a draft for editing.
 *
 * A secret in a draft is what was typed (`value`) and whether the Striker already holds one
 * (`stored`): an empty value with a stored secret is sent as `{ set: true }`, keep the stored one.
 * Pure: no Svelte, no browser.
 */
// The manifest area's pure modules, bundled as they are: one numbering plan for the API and the wizard.
import { hostKeys, networkKey } from '../../../../striker/manifest/manifest-schema.js';
import { defaultHostAddress, defaultIpmiAddress, defaultSubnet } from '../../../../striker/manifest/numbering-plan.js';
import type { FenceDeviceDoc, HostDoc, HostShown, HostSlot, ManifestDoc, ManifestShown, NetworkKind, SecretIn, SecretOut, UpsDoc } from './manifest-types.js';

export interface SecretDraft {
  value: string;
  stored: boolean;
}

export type ParameterValues = Record<string, string | boolean>;

export interface NetworkDraft {
  kind: NetworkKind;
  index: number;
  subnet: string;
  gateway: string;
  mtu: string;
}

export interface HostDraft {
  machine: string;
  addresses: Record<string, string>;
  /** Per network key: the first NIC's MAC and, for a bond, the second's ('' when none). */
  links: Record<string, [string, string]>;
  /** Addresses the tech typed: the numbering plan no longer fills them. */
  edited: string[];
  ipmi: { enabled: boolean; address: string; username: string; password: SecretDraft; parameters: ParameterValues };
  pduOutlets: Record<string, string>;
}

export interface FenceDeviceDraft {
  name: string;
  agent: string;
  parameters: ParameterValues;
  password: SecretDraft;
}

export interface UpsDraft {
  name: string;
  source: 'nut' | 'snmp';
  address: string;
  /** upsd's TCP port as typed; empty means NUT's 3493. */
  port: string;
  upsName: string;
  username: string;
  password: SecretDraft;
  powers: HostSlot[];
}

export interface ManifestDraft {
  pair: { prefix: string; sequence: string; domain: string; description: string };
  clusterPassword: SecretDraft;
  networks: NetworkDraft[];
  dns: string;
  ntp: string;
  withDr: boolean;
  hosts: Record<HostSlot, HostDraft>;
  fenceDevices: FenceDeviceDraft[];
  upses: UpsDraft[];
}

/** What the Striker's own identity offers as a starting point (GET /api/setup/identity). */
export interface DraftSeed {
  prefix?: string;
  domain?: string;
  ifnSubnet?: string;
  ifnGateway?: string;
  dns?: string[];
  ntp?: string[];
  mtu?: number;
}

export const emptySecret = (): SecretDraft => ({ value: '', stored: false });

export function emptyHost(): HostDraft {
  return { machine: '', addresses: {}, links: {}, edited: [], ipmi: { enabled: true, address: '', username: 'admin', password: emptySecret(), parameters: {} }, pduOutlets: {} };
}

/** A new manifest: one BCN, SN and IFN, MTU 1500, the pair numbered 1, addresses from the numbering plan. */
export function newDraft(seed: DraftSeed = {}): ManifestDraft {
  const mtu = String(seed.mtu ?? 1500);
  const draft: ManifestDraft = {
    pair: { prefix: seed.prefix ?? 'an', sequence: '1', domain: seed.domain ?? '', description: '' },
    clusterPassword: emptySecret(),
    networks: [
      { kind: 'bcn', index: 1, subnet: defaultSubnet('bcn', 1) ?? '', gateway: '', mtu },
      { kind: 'sn', index: 1, subnet: defaultSubnet('sn', 1) ?? '', gateway: '', mtu },
      { kind: 'ifn', index: 1, subnet: seed.ifnSubnet ?? '', gateway: seed.ifnGateway ?? '', mtu },
    ],
    dns: (seed.dns ?? []).join(', '),
    ntp: (seed.ntp ?? []).join(', '),
    withDr: false,
    hosts: { node1: emptyHost(), node2: emptyHost(), dr: emptyHost() },
    fenceDevices: [],
    upses: [],
  };
  fillPlan(draft);
  return draft;
}

/** The slots the draft describes: both nodes, and the DR host when there is one. */
export function slotsOf(draft: ManifestDraft): HostSlot[] {
  return hostKeys.filter((s) => s !== 'dr' || draft.withDr);
}

/**
 * Fills every address the tech has not typed from the numbering plan (and drops addresses of
 * networks no longer in the draft), so a change of subnet or pair number moves the defaults along.
 */
export function fillPlan(draft: ManifestDraft): void {
  const sequence = Number(draft.pair.sequence);
  const planned = Number.isInteger(sequence) && sequence >= 1 && sequence <= 99;
  const bcn = draft.networks.find((n) => n.kind === 'bcn');
  for (const slot of hostKeys) {
    const host = draft.hosts[slot];
    const keys = new Set(draft.networks.map(networkKey));
    for (const key of Object.keys(host.addresses)) if (!keys.has(key)) delete host.addresses[key];
    for (const n of draft.networks) {
      const key = networkKey(n);
      if (!host.edited.includes(key)) host.addresses[key] = !planned ? '' : defaultHostAddress(n.subnet, sequence, slot) ?? '';
      host.links[key] ??= ['', ''];
    }
    if (!host.edited.includes('ipmi') && bcn) host.ipmi.address = !planned ? '' : defaultIpmiAddress(bcn.subnet, sequence, slot) ?? '';
  }
}

const list = (text: string) => text.split(/[\s,;]+/).filter((s) => s !== '');

/** A number typed as digits becomes a number; anything else goes as typed, for the server to name. */
function numeric(text: string): number {
  const t = text.trim();
  return (/^\d+$/.test(t) ? Number(t) : t) as number;
}

function secretIn(s: SecretDraft): SecretIn | undefined {
  if (s.value !== '') return s.value;
  return s.stored ? { set: true } : undefined;
}

function parameters(values: ParameterValues): Record<string, string | boolean> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
}

function hostDoc(h: HostDraft, networks: string[]): HostDoc {
  const doc: HostDoc = {
    machine: h.machine,
    addresses: Object.fromEntries(networks.map((k) => [k, h.addresses[k] ?? ''])),
    links: Object.fromEntries(networks.map((k) => [k, { macs: (h.links[k] ?? ['', '']).filter((m, i) => i === 0 || m !== '') }])),
  };
  if (h.ipmi.enabled) {
    const password = secretIn(h.ipmi.password) ?? '';
    doc.ipmi = { address: h.ipmi.address, username: h.ipmi.username, password };
    const p = parameters(h.ipmi.parameters);
    if (Object.keys(p).length > 0) doc.ipmi.parameters = p;
  }
  const outlets = Object.fromEntries(Object.entries(h.pduOutlets).filter(([, plug]) => plug.trim() !== ''));
  if (Object.keys(outlets).length > 0) doc.pduOutlets = outlets;
  return doc;
}

/** The manifest document the API takes. */
export function toDocument(d: ManifestDraft): ManifestDoc {
  const keys = d.networks.map(networkKey);
  const hosts: ManifestDoc['hosts'] = { node1: hostDoc(d.hosts.node1, keys), node2: hostDoc(d.hosts.node2, keys) };
  if (d.withDr) hosts.dr = hostDoc(d.hosts.dr, keys);
  const fenceDevices = d.fenceDevices.map((f): FenceDeviceDoc => {
    const doc: FenceDeviceDoc = { name: f.name, agent: f.agent, parameters: parameters(f.parameters) };
    const password = secretIn(f.password);
    if (password !== undefined) doc.password = password;
    return doc;
  });
  const upses = d.upses.map((u): UpsDoc => {
    const doc: UpsDoc = { name: u.name, source: u.source, address: u.address, powers: [...u.powers] };
    if (u.port.trim() !== '') doc.port = numeric(u.port);
    if (u.upsName !== '') doc.upsName = u.upsName;
    if (u.username !== '') doc.username = u.username;
    const password = secretIn(u.password);
    if (password !== undefined) doc.password = password;
    return doc;
  });
  const pair: ManifestDoc['pair'] = { prefix: d.pair.prefix, sequence: numeric(d.pair.sequence), domain: d.pair.domain };
  if (d.pair.description.trim() !== '') pair.description = d.pair.description;
  return {
    version: 1,
    pair,
    networks: d.networks.map((n) => ({ kind: n.kind, index: n.index, subnet: n.subnet, ...(n.kind === 'ifn' && n.gateway !== '' ? { gateway: n.gateway } : {}), mtu: numeric(n.mtu) })),
    dns: list(d.dns),
    ntp: list(d.ntp),
    hosts,
    fenceDevices,
    upses,
    clusterPassword: secretIn(d.clusterPassword) ?? '',
  };
}

const storedSecret = (s: SecretOut | undefined): SecretDraft => ({ value: '', stored: s?.set === true });

const textValues = (p: Record<string, string | number | boolean> | undefined): ParameterValues =>
  Object.fromEntries(Object.entries(p ?? {}).map(([k, v]) => [k, typeof v === 'boolean' ? v : String(v)]));

/** A stored manifest as a draft to edit: every address counts as typed, secrets as stored. */
export function fromDocument(doc: ManifestShown): ManifestDraft {
  const keys = doc.networks.map(networkKey);
  const host = (h: HostShown | undefined): HostDraft => {
    if (!h) return emptyHost();
    return {
      machine: h.machine,
      addresses: { ...h.addresses },
      links: Object.fromEntries(keys.map((k) => [k, [h.links[k]?.macs[0] ?? '', h.links[k]?.macs[1] ?? ''] as [string, string]])),
      edited: [...keys, 'ipmi'],
      ipmi: h.ipmi
        ? { enabled: true, address: h.ipmi.address, username: h.ipmi.username, password: storedSecret(h.ipmi.password), parameters: textValues(h.ipmi.parameters) }
        : { ...emptyHost().ipmi, enabled: false },
      pduOutlets: { ...h.pduOutlets },
    };
  };
  return {
    pair: { prefix: doc.pair.prefix, sequence: String(doc.pair.sequence), domain: doc.pair.domain, description: doc.pair.description ?? '' },
    clusterPassword: storedSecret(doc.clusterPassword),
    networks: doc.networks.map((n) => ({ kind: n.kind, index: n.index, subnet: n.subnet, gateway: n.gateway ?? '', mtu: String(n.mtu) })),
    dns: doc.dns.join(', '),
    ntp: doc.ntp.join(', '),
    withDr: doc.hosts.dr !== undefined,
    hosts: { node1: host(doc.hosts.node1), node2: host(doc.hosts.node2), dr: host(doc.hosts.dr) },
    fenceDevices: doc.fenceDevices.map((f) => ({ name: f.name, agent: f.agent, parameters: textValues(f.parameters), password: storedSecret(f.password) })),
    upses: doc.upses.map((u) => ({ name: u.name, source: u.source, address: u.address, port: u.port === undefined ? '' : String(u.port), upsName: u.upsName ?? '', username: u.username ?? '', password: storedSecret(u.password), powers: [...u.powers] })),
  };
}

/** The draft with every typed secret removed (what may be kept in the browser's session storage). */
export function withoutSecrets(d: ManifestDraft): ManifestDraft {
  const copy = structuredClone(d);
  const clear = (s: SecretDraft) => (s.value = '');
  clear(copy.clusterPassword);
  for (const slot of hostKeys) clear(copy.hosts[slot].ipmi.password);
  for (const f of copy.fenceDevices) clear(f.password);
  for (const u of copy.upses) clear(u.password);
  return copy;
}
