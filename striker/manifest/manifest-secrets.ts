/**
 * Where a manifest holds secrets, and how a document is split into a secret-free document plus
 * the secrets themselves. Each secret has a slot named for what it belongs to, not for its
 * position in a list, so reordering fence devices or UPSes keeps their passwords:
 *   `clusterPassword`, `hosts.<host>.ipmi`, `fenceDevices.<name>`, `upses.<name>`.
 * Pure.
 */
import type { Manifest, ManifestView, SecretInput, SecretState } from './manifest-schema.js';
import { hostKeys } from './manifest-schema.js';

export interface SecretField {
  /** Stable name of the secret (see above). */
  slot: string;
  /** Key path of the field in the document, for problems. */
  path: string;
  /** The field as given; undefined when the optional secret is absent. */
  value: unknown;
  required: boolean;
}

/** Every secret field of a (possibly malformed) manifest document, read defensively. */
export function secretFields(input: unknown): SecretField[] {
  const doc = record(input);
  if (doc === undefined) return [];
  const out: SecretField[] = [{ slot: 'clusterPassword', path: 'clusterPassword', value: doc.clusterPassword, required: true }];
  const hosts = record(doc.hosts);
  for (const key of hostKeys) {
    const ipmi = record(record(hosts?.[key])?.ipmi);
    if (ipmi !== undefined) out.push({ slot: `hosts.${key}.ipmi`, path: `hosts.${key}.ipmi.password`, value: ipmi.password, required: true });
  }
  for (const [list, prefix] of [['fenceDevices', 'fenceDevices'], ['upses', 'upses']] as const) {
    const items = Array.isArray(doc[list]) ? (doc[list] as unknown[]) : [];
    items.forEach((item, i) => {
      const r = record(item);
      if (r === undefined || typeof r.name !== 'string') return;
      out.push({ slot: `${prefix}.${r.name}`, path: `${list}.${i}.password`, value: r.password, required: false });
    });
  }
  return out;
}

/** What a stored secret slot holds for a document field: a new plaintext, keep, or none. */
export type SecretIntent = { kind: 'new'; plaintext: string } | { kind: 'keep' } | { kind: 'none' };

export function secretIntent(value: SecretInput | undefined): SecretIntent {
  if (typeof value === 'string') return { kind: 'new', plaintext: value };
  if (value?.set === true) return { kind: 'keep' };
  return { kind: 'none' };
}

/**
 * Splits a parsed manifest: the document with every secret replaced by `{ set }` (what is stored
 * and shown) and the intent for each slot. `isSet(slot)` says whether a slot kept from storage
 * holds a secret.
 */
export function splitSecrets(manifest: Manifest, isSet: (slot: string) => boolean): { view: ManifestView; intents: Map<string, SecretIntent> } {
  const intents = new Map<string, SecretIntent>();
  const state = (slot: string, value: SecretInput | undefined): SecretState => {
    const intent = secretIntent(value);
    intents.set(slot, intent);
    return { set: intent.kind === 'new' || (intent.kind === 'keep' && isSet(slot)) };
  };
  const hosts = {} as ManifestView['hosts'];
  for (const key of hostKeys) {
    const host = manifest.hosts[key];
    if (host === undefined) continue;
    const { ipmi, ...rest } = host;
    hosts[key] = ipmi === undefined ? rest : { ...rest, ipmi: { ...ipmi, password: state(`hosts.${key}.ipmi`, ipmi.password) } };
  }
  const view: ManifestView = {
    ...manifest,
    hosts,
    fenceDevices: manifest.fenceDevices.map(({ password, ...d }) => (password === undefined ? d : { ...d, password: state(`fenceDevices.${d.name}`, password) })),
    upses: manifest.upses.map(({ password, ...u }) => (password === undefined ? u : { ...u, password: state(`upses.${u.name}`, password) })),
    clusterPassword: state('clusterPassword', manifest.clusterPassword),
  };
  return { view, intents };
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
