/**
 * Validation of a manifest that lists every problem at once, each with its key path
 * (`hosts.node1.addresses.bcn1`). Field shapes come from the schema (through zod-problems, in the
 * same `{ path, message }` form); the relations between fields are checked here on whatever parts
 * of the document are well-formed, so one answer holds every problem:
 *
 * - networks: one definition per key, no overlapping subnets, a gateway only on an IFN and inside it;
 * - addresses: each a host address inside its network, unique across the site (this manifest and
 *   the other stored ones), every host with an address and a link on every network, no NIC twice;
 * - the pair: its sequence (and so its names) not taken by another stored manifest;
 * - hosts: each bound to a registered machine of the right role (node1/node2 a node, dr a DR host),
 *   not bound twice; the DR host only with an SN or IFN shared with both nodes;
 * - fencing: each node with IPMI or a PDU outlet, outlets on defined fence devices, no plug twice,
 *   device parameters checked by the injected FenceParameterCheck (from the agents' metadata);
 * - power: every UPS reference resolves and, when there are UPSes, every host is powered by one;
 * - secrets: required ones present, "keep the stored one" only where one is stored.
 * Pure: the registered machines and the other manifests are passed in as data.
 */
import type { Problem } from '../core/errors/index.js';
import { problemsFromZod } from '../core/validation/zod-problems.js';
import { formatCidr, isHostAddress, parseCidr, parseIpv4, prefixesOverlap, type Ipv4Prefix } from '../core/net/ipv4.js';
import { normalizeMac } from '../core/net/mac.js';
import { hostKeys, manifestSchema, networkKinds, type HostKey, type Manifest, type ManifestView, type NetworkKind } from './manifest-schema.js';
import { secretFields } from './manifest-secrets.js';
import { hostName } from './names.js';

/** A machine as the machines area knows it: what a host may be bound to. */
export interface RegisteredMachine {
  mac: string;
  role: 'striker' | 'node' | 'dr' | null;
}

/** Another stored manifest: its addresses, machines and sequence are taken. */
export interface OtherManifest {
  id: string;
  name: string;
  document: ManifestView;
}

/**
 * Checks a fence agent's parameters against what the agent declares (its metadata). `params` are
 * the parameters as the manifest gives them; for a host's IPMI, `ip` and `username` come from its
 * `ipmi.address` and `ipmi.username`. Credentials and the per-host `plug` are never passed, so the
 * check must not require them. Each problem's path is relative to the parameters (the parameter
 * name), or '' for the device as a whole.
 */
export type FenceParameterCheck = (agent: string, params: Readonly<Record<string, string | number | boolean>>) => Problem[];

export interface ValidationContext {
  machines: readonly RegisteredMachine[];
  /** The other stored manifests (not the one being replaced). */
  others?: readonly OtherManifest[];
  /** Secret slots stored for the manifest being replaced; undefined when not known (validation only). */
  storedSecrets?: ReadonlySet<string>;
  fenceParameters?: FenceParameterCheck;
}

export type ManifestCheck = { ok: true; manifest: Manifest; problems: [] } | { ok: false; problems: Problem[] };

/** The wizard's steps and the key paths each one owns. */
export const manifestSteps = ['pair', 'networks', 'hosts', 'fencing', 'power'] as const;
export type ManifestStep = (typeof manifestSteps)[number];

/** Which step a problem's path belongs to; undefined for the document as a whole (`version`, root). */
export function stepOf(path: string): ManifestStep | undefined {
  const [head, host, part] = path.split('.');
  switch (head) {
    case 'pair':
    case 'clusterPassword':
      return 'pair';
    case 'networks':
    case 'dns':
    case 'ntp':
      return 'networks';
    case 'fenceDevices':
      return 'fencing';
    case 'upses':
      return 'power';
    case 'hosts':
      return host !== undefined && (part === 'ipmi' || part === 'pduOutlets') ? 'fencing' : 'hosts';
    default:
      return undefined;
  }
}

/** Validates a whole manifest: every problem, or the parsed manifest. */
export function validateManifest(input: unknown, context: ValidationContext): ManifestCheck {
  const parsed = manifestSchema.safeParse(input);
  const problems = dedupe(withoutSecretEchoes([...(parsed.success ? [] : problemsFromZod(parsed.error, input)), ...relationProblems(input, context)]));
  if (problems.length > 0 || !parsed.success) return { ok: false, problems };
  return { ok: true, manifest: parsed.data, problems: [] };
}

/** Validates one wizard step: the problems whose paths belong to it (the rest may not be filled in yet). */
export function validateStep(step: ManifestStep, input: unknown, context: ValidationContext): Problem[] {
  const all = validateManifest(input, context);
  return all.ok ? [] : all.problems.filter((p) => p.path === '' || stepOf(p.path) === step);
}

interface NetworkSeen {
  key: string;
  kind: NetworkKind;
  at: number;
  prefix: Ipv4Prefix | undefined;
}

interface Use {
  path: string;
  what: string;
}

function relationProblems(input: unknown, context: ValidationContext): Problem[] {
  const doc = record(input);
  if (doc === undefined) return [];
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const pair = record(doc.pair);
  const prefix = typeof pair?.prefix === 'string' ? pair.prefix.trim().toLowerCase() : 'an';
  const sequence = typeof pair?.sequence === 'number' && Number.isInteger(pair.sequence) ? pair.sequence : undefined;
  const named = /^[a-z]{1,5}$/.test(prefix) && sequence !== undefined && sequence >= 1 && sequence <= 99;
  const label = (host: HostKey) => (named ? `${host} (${hostName(prefix, sequence, host)})` : host);
  const others = context.others ?? [];

  // The pair's sequence (and with it the Anvil! and host names) is the site's only once.
  if (sequence !== undefined) {
    const taken = others.find((o) => o.document.pair.sequence === sequence);
    if (taken !== undefined) add('pair.sequence', `pair ${sequence} is already ${taken.name}: each pair needs its own sequence number`);
  }

  // Networks.
  const networks = new Map<string, NetworkSeen>();
  list(doc.networks).forEach((item, i) => {
    const n = record(item);
    if (n === undefined) return;
    const kind = networkKinds.find((k) => k === n.kind);
    const index = typeof n.index === 'number' && Number.isInteger(n.index) && n.index >= 1 && n.index <= 9 ? n.index : undefined;
    const prefixOf = typeof n.subnet === 'string' ? parseCidr(n.subnet) : undefined;
    if (kind === undefined || index === undefined) return;
    const key = `${kind}${index}`;
    const first = networks.get(key);
    if (first !== undefined) {
      add(`networks.${i}.index`, `${key} is already defined by networks.${first.at}: each network key once`);
      return;
    }
    if (prefixOf !== undefined) {
      for (const other of networks.values()) {
        if (other.prefix !== undefined && prefixesOverlap(other.prefix, prefixOf)) add(`networks.${i}.subnet`, `overlaps ${other.key} (${formatCidr(other.prefix)}): a route would be ambiguous`);
      }
    }
    networks.set(key, { key, kind, at: i, prefix: prefixOf });
    if (n.gateway !== undefined) {
      const gateway = typeof n.gateway === 'string' ? parseIpv4(n.gateway) : undefined;
      if (kind !== 'ifn') add(`networks.${i}.gateway`, `only an IFN has a gateway — ${key} is a ${kind.toUpperCase()}`);
      else if (gateway !== undefined && prefixOf !== undefined && !isHostAddress(prefixOf, gateway)) add(`networks.${i}.gateway`, `must be inside ${formatCidr(prefixOf)} — got '${String(n.gateway)}'`);
    }
  });

  // Addresses in use: this manifest's, then the other manifests' hosts and BMCs.
  const uses = new Map<string, Use>();
  const claim = (address: string, path: string, what: string) => {
    const first = uses.get(address);
    if (first !== undefined) add(path, `${address} is already ${first.what} (${first.path}): addresses are unique across the site`);
    else uses.set(address, { path, what });
  };
  list(doc.networks).forEach((item, i) => {
    const gw = record(item)?.gateway;
    if (typeof gw === 'string' && parseIpv4(gw) !== undefined) uses.set(gw, { path: `networks.${i}.gateway`, what: 'a gateway' });
  });
  const otherUses = new Map<string, string>();
  for (const o of others) {
    for (const key of hostKeys) {
      const h = o.document.hosts[key];
      if (h === undefined) continue;
      for (const a of Object.values(h.addresses)) otherUses.set(a, `${hostName(o.document.pair.prefix, o.document.pair.sequence, key)} in ${o.name}`);
      if (h.ipmi !== undefined) otherUses.set(h.ipmi.address, `the BMC of ${hostName(o.document.pair.prefix, o.document.pair.sequence, key)} in ${o.name}`);
    }
  }
  const claimSite = (address: string, path: string, what: string) => {
    const elsewhere = otherUses.get(address);
    if (elsewhere !== undefined) add(path, `${address} is already ${elsewhere}: addresses are unique across the site`);
    else claim(address, path, what);
  };

  // Hosts.
  const hosts = record(doc.hosts);
  const fenceNames = new Set(list(doc.fenceDevices).map((d) => record(d)?.name).filter((n): n is string => typeof n === 'string'));
  const machinesUsed = new Map<string, HostKey>();
  const macsUsed = new Map<string, string>();
  const plugsUsed = new Map<string, string>();
  const onNetwork = new Map<HostKey, Set<string>>();
  for (const key of hostKeys) {
    const host = record(hosts?.[key]);
    if (host === undefined) continue;
    const base = `hosts.${key}`;
    const present = new Set<string>();
    onNetwork.set(key, present);

    // The machine it is bound to.
    const mac = typeof host.machine === 'string' ? normalizeMac(host.machine) : undefined;
    if (mac !== undefined) {
      const want = key === 'dr' ? 'dr' : 'node';
      const machine = context.machines.find((m) => m.mac === mac);
      if (machine === undefined) add(`${base}.machine`, `no registered machine has MAC ${mac}: register it (PXE boot, then describe it) first`);
      else if (machine.role !== want) add(`${base}.machine`, `${mac} is registered as ${machine.role === null ? 'a machine without a role' : `a ${machine.role}`}; ${key} needs a machine with the role ${want}`);
      const twice = machinesUsed.get(mac);
      if (twice !== undefined) add(`${base}.machine`, `${mac} is already ${twice}: one machine per host`);
      machinesUsed.set(mac, key);
      for (const o of others) {
        const owner = hostKeys.find((k) => o.document.hosts[k]?.machine === mac);
        if (owner !== undefined) add(`${base}.machine`, `${mac} is already ${owner} of ${o.name}`);
      }
    }

    // An address on every network, inside it.
    const addresses = record(host.addresses) ?? {};
    for (const [net, value] of Object.entries(addresses)) {
      const path = `${base}.addresses.${net}`;
      const network = networks.get(net);
      if (network === undefined) {
        if (/^(bcn|sn|ifn|mn)[1-9]$/.test(net)) add(path, `there is no network ${net} in networks`);
        continue;
      }
      const address = typeof value === 'string' ? parseIpv4(value) : undefined;
      if (address === undefined) continue;
      if (network.prefix !== undefined && !isHostAddress(network.prefix, address)) {
        add(path, `must be a host address inside ${net} ${formatCidr(network.prefix)} — got '${String(value)}'`);
        continue;
      }
      present.add(net);
      claimSite(String(value), path, `the ${net} address of ${key}`);
    }
    for (const net of networks.keys()) {
      if (!(net in addresses)) add(`${base}.addresses.${net}`, `needs an address on ${net}: every host is on every network`);
    }

    // A link (one NIC, or two in a bond) on every network; no NIC twice.
    const links = record(host.links) ?? {};
    for (const [net, value] of Object.entries(links)) {
      if (!networks.has(net)) {
        if (/^(bcn|sn|ifn|mn)[1-9]$/.test(net)) add(`${base}.links.${net}`, `there is no network ${net} in networks`);
        continue;
      }
      list(record(value)?.macs).forEach((m, j) => {
        const nic = typeof m === 'string' ? normalizeMac(m) : undefined;
        if (nic === undefined) return;
        const path = `${base}.links.${net}.macs.${j}`;
        const first = macsUsed.get(nic);
        if (first !== undefined) add(path, `${nic} is already used by ${first}: a NIC belongs to one link`);
        else macsUsed.set(nic, path);
      });
    }
    for (const net of networks.keys()) {
      if (!(net in links)) add(`${base}.links.${net}`, `needs a link on ${net}: one MAC, or two for a bond`);
    }

    // Fencing: IPMI, PDU outlets on defined fence devices.
    const ipmi = record(host.ipmi);
    if (ipmi !== undefined && typeof ipmi.address === 'string' && parseIpv4(ipmi.address) !== undefined) {
      claimSite(ipmi.address, `${base}.ipmi.address`, `the BMC of ${key}`);
    }
    const outlets = record(host.pduOutlets) ?? {};
    for (const [device, plug] of Object.entries(outlets)) {
      const path = `${base}.pduOutlets.${device}`;
      if (!fenceNames.has(device)) {
        add(path, `there is no fence device ${device} in fenceDevices`);
        continue;
      }
      if (typeof plug !== 'string') continue;
      const outlet = `${device}/${plug.trim()}`;
      const first = plugsUsed.get(outlet);
      if (first !== undefined) add(path, `outlet ${plug.trim()} of ${device} already powers ${first}`);
      else plugsUsed.set(outlet, key);
    }
    if (key !== 'dr' && ipmi === undefined && Object.keys(outlets).length === 0) {
      add(`${base}.ipmi`, `${label(key)} needs a fence method: IPMI, or an outlet on a PDU (pduOutlets)`);
    }
    if (ipmi !== undefined && context.fenceParameters !== undefined) {
      const params = { ...scalars(record(ipmi.parameters)), ...(typeof ipmi.address === 'string' ? { ip: ipmi.address } : {}), ...(typeof ipmi.username === 'string' ? { username: ipmi.username } : {}) };
      for (const p of context.fenceParameters('fence_ipmilan', params)) {
        const where = p.path === 'ip' ? `${base}.ipmi.address` : p.path === 'username' ? `${base}.ipmi.username` : p.path === '' ? `${base}.ipmi` : `${base}.ipmi.parameters.${p.path}`;
        add(where, p.message);
      }
    }
  }

  // The DR host replicates over an SN or IFN that both nodes are on.
  const dr = onNetwork.get('dr');
  if (dr !== undefined) {
    const shared = [...networks.values()].some((n) => (n.kind === 'sn' || n.kind === 'ifn') && dr.has(n.key) && onNetwork.get('node1')?.has(n.key) === true && onNetwork.get('node2')?.has(n.key) === true);
    if (!shared) add('hosts.dr.addresses', 'the DR host needs an address on an SN or IFN that both nodes are on (it replicates over it)');
  }

  // Fence devices.
  const deviceNames = new Map<string, number>();
  list(doc.fenceDevices).forEach((item, i) => {
    const d = record(item);
    if (d === undefined) return;
    if (typeof d.name === 'string') {
      const first = deviceNames.get(d.name);
      if (first !== undefined) add(`fenceDevices.${i}.name`, `${d.name} is already fenceDevices.${first}: names are unique`);
      else deviceNames.set(d.name, i);
    }
    const params = record(d.parameters);
    if (typeof params?.ip === 'string' && parseIpv4(params.ip) !== undefined) claim(params.ip, `fenceDevices.${i}.parameters.ip`, `fence device ${String(d.name)}`);
    if (context.fenceParameters !== undefined && typeof d.agent === 'string' && /^fence_[a-z0-9_]{1,60}$/.test(d.agent)) {
      for (const p of context.fenceParameters(d.agent, scalars(params))) add(p.path === '' ? `fenceDevices.${i}.parameters` : `fenceDevices.${i}.parameters.${p.path}`, p.message);
    }
  });

  // UPSes: references resolve, every host powered.
  const upsNames = new Map<string, number>();
  const powered = new Set<string>();
  const upses = list(doc.upses);
  upses.forEach((item, i) => {
    const u = record(item);
    if (u === undefined) return;
    if (typeof u.name === 'string') {
      const first = upsNames.get(u.name);
      if (first !== undefined) add(`upses.${i}.name`, `${u.name} is already upses.${first}: names are unique`);
      else upsNames.set(u.name, i);
    }
    const seen = new Set<string>();
    list(u.powers).forEach((h, j) => {
      if (typeof h !== 'string' || !(hostKeys as readonly string[]).includes(h)) return;
      if (seen.has(h)) add(`upses.${i}.powers.${j}`, `lists ${h} twice`);
      seen.add(h);
      if (record(hosts?.[h]) === undefined) add(`upses.${i}.powers.${j}`, `there is no ${h} host in hosts`);
      else powered.add(h);
    });
  });
  if (upses.length > 0) {
    for (const key of hostKeys) {
      if (record(hosts?.[key]) !== undefined && !powered.has(key)) add('upses', `no UPS powers ${label(key)}: with UPSes defined, every host needs at least one`);
    }
  }

  // Secrets: required ones given, "keep" only where one is stored.
  for (const field of secretFields(input)) {
    const value = record(field.value);
    if (value === undefined || typeof value.set !== 'boolean') continue;
    if (value.set && context.storedSecrets !== undefined && !context.storedSecrets.has(field.slot)) add(field.path, 'no password is stored to keep: type the password');
    if (!value.set && field.required) add(field.path, 'is required: type the password');
  }
  return problems;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function scalars(value: Record<string, unknown> | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(value ?? {})) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  return out;
}

/**
 * A problem with a secret field never quotes what was sent (zod-problems appends "— got …"): the
 * answer and the log that records it must not carry a password.
 */
function withoutSecretEchoes(problems: Problem[]): Problem[] {
  return problems.map((p) => (SECRET_PATH.test(p.path) ? { path: p.path, message: p.message.replace(/ — got [\s\S]*$/, '') } : p));
}

/** The key paths of secret fields: the cluster password and every `password` (schema fields and refused parameters alike). */
const SECRET_PATH = /(^clusterPassword|\.password|\.passwd)(\.|$)/;

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.path}\u0000${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
