/**
 * From one agent's metadata: the fence device form the UI renders, and the check of a device's
 * parameters against it (pure, data in → data out).
 *
 * Pacemaker supplies some parameters itself on every fence operation: `action` (off, reboot…) and the
 * target's `plug`/`port` (from pcmk_host_map, i.e. a host's PDU outlet). They are not fields of a
 * device and are refused in its parameters, as are `help` and `version`, which make an agent print
 * and exit instead of fencing. Credentials are refused in the plain parameters: Striker keeps them
 * only as encrypted secrets (the device's password).
 *
 * Values are normalised to the strings an agent reads on stdin (`name=value` lines, as stonith-ng
 * passes them): booleans "1"/"0", numbers in decimal. A value with a line break is refused, since on
 * stdin it would become a second parameter.
 */
import type { Problem } from '../../core/errors/index.js';
import type { FenceAgentMetadata, FenceParameter, FenceParameterType } from './fence-metadata-parser.js';

export interface FenceFormField {
  name: string;
  label: string;
  type: FenceParameterType;
  required: boolean;
  default?: string;
  help: string;
  choices?: readonly string[];
  secret: boolean;
  /** Old names the agent still accepts for this field (`port` for `plug`); a value under one is renamed. */
  deprecatedNames: readonly string[];
  /** Timing, tool paths and diagnostics: shown folded away; the defaults work. */
  advanced: boolean;
}

export interface FenceForm {
  agent: string;
  title: string;
  description: string;
  fields: readonly FenceFormField[];
}

export type FenceParameterValue = string | number | boolean;
export type FenceParameterInput = Readonly<Record<string, FenceParameterValue>>;

export interface FenceParameterOutcome {
  /** The parameters under their current names, as the agent reads them. Complete only when `problems` is empty. */
  parameters: Record<string, string>;
  /** Renamed deprecated names: the input is accepted, the manifest should use the new name. */
  notices: Problem[];
  problems: Problem[];
}

export interface FenceCheckOptions {
  /** Parameters given elsewhere (the device's password secret), so a required one among them is not missing. */
  provided?: readonly string[];
}

/** Parameters the cluster passes on each fence operation, and why they are not a device's. */
const CLUSTER_SUPPLIED: Readonly<Record<string, string>> = {
  action: 'is chosen by the cluster for each fence operation (off, reboot…); leave it out',
  plug: "is set per host: the cluster passes each node's plug (a host's PDU outlet); leave it out of the device",
  port: "is set per host: the cluster passes each node's plug (a host's PDU outlet); leave it out of the device",
};
const NOT_A_SETTING: Readonly<Record<string, string>> = {
  help: 'makes the agent print its help and exit instead of fencing',
  version: 'makes the agent print its version and exit instead of fencing',
};
const ADVANCED = /(_timeout|_wait|_path|_sleep|_file|_script)$|^(delay|retry_on|quiet|verbose|verbose_level|debug|sudo|use_sudo|port_as_ip|plug_separator|separator|disable_timeout|method|privlvl|target)$/;
const LABELS: Readonly<Record<string, string>> = {
  ip: 'Address', ipport: 'Port', username: 'User name', password: 'Password', lanplus: 'IPMI lanplus',
  auth: 'Authentication', cipher: 'Cipher suite', hexadecimal_kg: 'Kg key (hex)', community: 'SNMP community',
  snmp_version: 'SNMP version', snmp_sec_level: 'SNMP security level', snmp_auth_prot: 'SNMP authentication protocol',
  snmp_priv_prot: 'SNMP privacy protocol', snmp_priv_passwd: 'SNMP privacy password', ssl: 'Use TLS', ssl_insecure: 'Accept any TLS certificate',
};

function isDeviceField(p: FenceParameter): boolean {
  return !p.deprecated && CLUSTER_SUPPLIED[p.name] === undefined && NOT_A_SETTING[p.name] === undefined;
}

export function labelOf(name: string): string {
  const known = LABELS[name];
  if (known !== undefined) return known;
  const words = name.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function fenceForm(metadata: FenceAgentMetadata): FenceForm {
  const fields = metadata.parameters.filter(isDeviceField).map((p): FenceFormField => ({
    name: p.name,
    label: labelOf(p.name),
    type: p.type,
    required: p.required,
    ...(p.default !== undefined ? { default: p.default } : {}),
    help: p.description,
    ...(p.choices !== undefined ? { choices: p.choices } : {}),
    secret: p.secret,
    deprecatedNames: metadata.parameters.filter((old) => old.replacedBy === p.name).map((old) => old.name),
    advanced: !p.required && ADVANCED.test(p.name),
  }));
  // Required first, then the connection settings, then the advanced ones; the agent's order within each.
  const rank = (f: FenceFormField) => (f.required ? 0 : f.advanced ? 2 : 1);
  fields.sort((a, b) => rank(a) - rank(b));
  return { agent: metadata.name, title: metadata.shortdesc, description: metadata.longdesc, fields };
}

/**
 * Checks a device's parameters against the agent's metadata and lists every problem: an unknown
 * name, a value its type refuses, a required one missing, one the cluster supplies, a credential
 * in clear. A deprecated name is renamed (with a notice), unless the new name is also given with
 * another value.
 */
export function checkFenceParameters(metadata: FenceAgentMetadata, input: FenceParameterInput, options: FenceCheckOptions = {}): FenceParameterOutcome {
  const byName = new Map(metadata.parameters.map((p) => [p.name, p]));
  const parameters: Record<string, string> = {};
  const notices: Problem[] = [];
  const problems: Problem[] = [];
  const agent = metadata.name;

  for (const [given, value] of Object.entries(input)) {
    let p = byName.get(given);
    if (p === undefined) {
      problems.push({ path: given, message: `${agent} has no parameter '${given}'${suggestionFor(given, metadata)}` });
      continue;
    }
    if (CLUSTER_SUPPLIED[given] !== undefined) { problems.push({ path: given, message: CLUSTER_SUPPLIED[given] }); continue; }
    if (NOT_A_SETTING[given] !== undefined) { problems.push({ path: given, message: NOT_A_SETTING[given] }); continue; }
    if (p.replacedBy !== undefined) {
      const current = byName.get(p.replacedBy)!;
      if (Object.hasOwn(input, current.name)) {
        if (String(input[current.name]) !== String(value)) {
          problems.push({ path: given, message: `is the old name of '${current.name}', which is also given with another value; keep only '${current.name}'` });
        }
        continue;
      }
      notices.push({ path: given, message: `renamed to '${current.name}': ${agent} calls it '${current.name}' now` });
      p = current;
    }
    if (p.secret) {
      problems.push({ path: given, message: `is a credential: give it as the device's password (stored encrypted), never among the plain parameters` });
      continue;
    }
    const checked = normalise(p, value);
    if (checked.problem !== undefined) problems.push({ path: given, message: checked.problem });
    else parameters[p.name] = checked.value;
  }

  const provided = new Set(options.provided ?? []);
  for (const p of metadata.parameters) {
    if (!p.required || !isDeviceField(p) || Object.hasOwn(parameters, p.name) || provided.has(p.name)) continue;
    const aliases = metadata.parameters.filter((old) => old.replacedBy === p.name).map((old) => old.name);
    if (aliases.some((a) => Object.hasOwn(input, a)) || Object.hasOwn(input, p.name)) continue; // given, and refused above
    problems.push({ path: p.name, message: `is required by ${agent}${p.description ? ` (${p.description})` : ''}` });
  }
  return { parameters, notices, problems };
}

function normalise(p: FenceParameter, value: FenceParameterValue): { value: string; problem?: undefined } | { problem: string } {
  if (typeof value === 'string' && /[\r\n\0]/.test(value)) {
    return { problem: 'must be one line: the agent reads its parameters one per line, so a line break would start another parameter' };
  }
  const seen = typeof value === 'string' ? `'${value}'` : String(value);
  switch (p.type) {
    case 'boolean': {
      if (value === true || value === 1) return { value: '1' };
      if (value === false || value === 0) return { value: '0' };
      const v = typeof value === 'string' ? value.trim().toLowerCase() : '';
      if (['1', 'true', 'yes', 'on'].includes(v)) return { value: '1' };
      if (['0', 'false', 'no', 'off'].includes(v)) return { value: '0' };
      return { problem: `must be true or false — got ${seen}` };
    }
    case 'integer': {
      const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
      if (/^-?\d{1,15}$/.test(text)) return { value: String(Number(text)) };
      return { problem: `must be a whole number — got ${seen}` };
    }
    case 'second': {
      const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
      if (/^\d{1,9}(\.\d{1,6})?$/.test(text)) return { value: text };
      return { problem: `must be a number of seconds like 5 or 0.5 — got ${seen}` };
    }
    case 'select': {
      const text = typeof value === 'boolean' ? '' : String(value).trim();
      if (p.choices!.includes(text)) return { value: text };
      return { problem: `must be one of ${p.choices!.join(', ')} — got ${seen}` };
    }
    case 'string':
      if (typeof value === 'boolean') return { problem: `must be text — got ${seen}` };
      return { value: String(value) };
  }
}

/** A near miss: the same name with `-` for `_` or in other case, or the name a deprecated one became. */
function suggestionFor(given: string, metadata: FenceAgentMetadata): string {
  const folded = given.toLowerCase().replace(/-/g, '_');
  const hit = metadata.parameters.find((p) => p.name === folded);
  if (hit === undefined) return '';
  return `; did you mean '${hit.replacedBy ?? hit.name}'?`;
}

/**
 * The manifest validator's view of fence devices: problems for one agent and its parameters
 * (paths are parameter names; a problem with the agent itself has the empty path, as the validator
 * expects). `lookup` gives the metadata already read (FenceAgentCatalog.known after load), so the
 * check stays synchronous.
 */
export type FenceParameterCheck = (agent: string, params: FenceParameterInput) => Problem[];

export function fenceParameterCheck(lookup: (agent: string) => FenceAgentMetadata | undefined, options: FenceCheckOptions = {}): FenceParameterCheck {
  return (agent, params) => {
    const metadata = lookup(agent);
    if (metadata === undefined) return [{ path: '', message: `${agent} is not a fence agent installed on this Striker` }];
    return checkFenceParameters(metadata, params, options).problems;
  };
}
