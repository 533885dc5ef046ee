/**
 * Reads what `fence_<agent> -o metadata` prints: the resource-agent XML of fence-agents (and of
 * agents written to its format, such as Anvil!'s fence_delay) → a frozen FenceAgentMetadata.
 *
 * The XML goes through the project's one XML reader (saxes; entities declared in a DOCTYPE are never
 * expanded). Anything that would give a wrong form is a DecodeError naming the agent and the
 * element: a truncated or malformed document, a parameter without a type, an unknown type, a select
 * without choices, a default its own type refuses, a parameter named twice, an `obsoletes` naming a
 * parameter the agent does not declare.
 */
import { DecodeError } from '../../core/errors/index.js';
import { XmlReader } from '../../../repo-sync/index.js';

/** The value types fence-agents declares in `<content type>`. `second` is a duration in seconds (decimals allowed). */
export const fenceParameterTypes = ['boolean', 'string', 'integer', 'second', 'select'] as const;
export type FenceParameterType = (typeof fenceParameterTypes)[number];

export interface FenceParameter {
  name: string;
  type: FenceParameterType;
  required: boolean;
  /** The default as the agent prints it (booleans normalised to "0"/"1"). */
  default?: string;
  description: string;
  /** The values a `select` accepts, in the agent's order. */
  choices?: readonly string[];
  /** The command-line form, e.g. `-a, --ip=[ip]`. */
  getopt?: string;
  /** The agent still accepts this old name; `replacedBy` is the name to use instead. */
  deprecated: boolean;
  replacedBy?: string;
  /** Old names this parameter takes over (`plug` obsoletes `port`). */
  obsoletes?: string;
  /** A credential: never shown, logged or stored in clear. */
  secret: boolean;
}

export interface FenceAgentMetadata {
  name: string;
  shortdesc: string;
  longdesc: string;
  /** Other agent names installed as links to this one (fence_ipmilan → fence_idrac, fence_ilo3…). */
  symlinks: readonly string[];
  parameters: readonly FenceParameter[];
  actions: readonly string[];
}

export const AGENT_NAME = /^fence_[a-z0-9_]{1,60}$/;
/** Names as agents declare them: fence_azure_arm has `resourceGroup`, fence_ilo `tls1.0`; never `=`, space or a line break. */
const PARAMETER_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,62}$/;
/** Larger than any agent's metadata (fence_ipmilan prints about 11 kB). */
export const maxMetadataBytes = 512 * 1024;

/**
 * Parameters that carry a credential. `*_script` parameters name a program that prints the secret
 * and are paths, not secrets; `community` is the SNMP v1/v2c password; `hexadecimal_kg` the IPMI v2 Kg key.
 */
const SECRET_PARAMETERS = new Set(['password', 'passwd', 'snmp_priv_passwd', 'community', 'hexadecimal_kg', 'secret_key', 'apikey', 'token']);

export function isSecretParameter(name: string): boolean {
  return SECRET_PARAMETERS.has(name);
}

interface ParameterDraft {
  name: string;
  required: boolean;
  deprecated: boolean;
  obsoletes?: string;
  type?: string;
  default?: string;
  choices: string[];
  description: string;
  getopt?: string;
}

/** Parses one agent's metadata; `source` names it in errors (the agent or the fixture file). */
export function parseFenceMetadata(xml: string, source: string): FenceAgentMetadata {
  if (xml.length > maxMetadataBytes) throw new DecodeError(`metadata is larger than ${maxMetadataBytes} bytes`, source, 0);
  if (xml.trim() === '') throw new DecodeError('metadata is empty (the agent printed nothing)', source, 0);
  let name = '';
  let shortdesc = '';
  let longdesc = '';
  const symlinks: string[] = [];
  const drafts: ParameterDraft[] = [];
  const actions: string[] = [];
  const stack: string[] = [];
  let text = '';
  let parameter: ParameterDraft | undefined;
  let shortdescLang: string | undefined;

  const fail = (message: string): never => { throw new DecodeError(message, source, reader.offset); };
  const flag = (value: string | undefined, what: string): boolean => {
    if (value === undefined || value === '0') return false;
    if (value === '1') return true;
    return fail(`${what} must be 0 or 1 — got '${value}'`);
  };
  const reader = new XmlReader(source, {
    open(element, attributes, depth) {
      stack.push(element);
      text = '';
      const parent = stack[stack.length - 2];
      if (depth === 1) {
        if (element !== 'resource-agent') fail(`root element must be <resource-agent> — got <${element}>`);
        name = attributes['name'] ?? '';
        if (!AGENT_NAME.test(name)) fail(`<resource-agent name> must be a fence agent name like fence_ipmilan — got '${name}'`);
        shortdesc = attributes['shortdesc'] ?? '';
      } else if (element === 'symlink' && depth === 2) {
        const link = attributes['name'] ?? '';
        if (!AGENT_NAME.test(link)) fail(`<symlink name> must be a fence agent name — got '${link}'`);
        symlinks.push(link);
      } else if (element === 'parameter' && parent === 'parameters' && depth === 3) {
        const pname = attributes['name'] ?? '';
        if (!PARAMETER_NAME.test(pname)) fail(`<parameter name> must be a parameter name like ip or power_wait — got '${pname}'`);
        if (drafts.some((d) => d.name === pname)) fail(`parameter '${pname}' is declared twice`);
        parameter = {
          name: pname,
          required: flag(attributes['required'], `parameter '${pname}' required`),
          deprecated: flag(attributes['deprecated'], `parameter '${pname}' deprecated`),
          ...(attributes['obsoletes'] ? { obsoletes: attributes['obsoletes'] } : {}),
          choices: [],
          description: '',
        };
      } else if (parameter !== undefined && element === 'content') {
        if (parameter.type !== undefined) fail(`parameter '${parameter.name}' has more than one <content>`);
        parameter.type = attributes['type'] ?? '';
        if (attributes['default'] !== undefined) parameter.default = attributes['default'];
      } else if (parameter !== undefined && element === 'option' && parent === 'content') {
        const value = attributes['value'];
        if (value === undefined) fail(`parameter '${parameter.name}' has an <option> without a value`);
        parameter.choices.push(value!);
      } else if (parameter !== undefined && element === 'getopt') {
        if (attributes['mixed'] !== undefined) parameter.getopt = attributes['mixed'];
      } else if (parameter !== undefined && element === 'shortdesc') {
        shortdescLang = attributes['lang'];
      } else if (element === 'action' && parent === 'actions') {
        const action = attributes['name'] ?? '';
        if (!/^[a-z][a-z-]{0,30}$/.test(action)) fail(`<action name> must be an action like off or reboot — got '${action}'`);
        actions.push(action);
      }
    },
    text(t) { text += t; },
    close(element, depth) {
      stack.pop();
      if (depth === 2 && element === 'longdesc') longdesc = squeeze(text);
      else if (parameter !== undefined && element === 'shortdesc' && (shortdescLang === undefined || shortdescLang === 'en')) {
        parameter.description = squeeze(text);
      } else if (parameter !== undefined && element === 'parameter' && depth === 3) {
        drafts.push(parameter);
        parameter = undefined;
      }
      text = '';
    },
  });
  reader.write(xml);
  reader.end();

  if (drafts.length === 0) throw new DecodeError(`agent ${name} declares no <parameters>`, source, 0);
  const declared = new Set(drafts.map((d) => d.name));
  const replacement = new Map<string, string>();
  for (const d of drafts) {
    if (d.obsoletes === undefined) continue;
    if (!declared.has(d.obsoletes)) throw new DecodeError(`parameter '${d.name}' obsoletes '${d.obsoletes}', which the agent does not declare`, source, 0);
    replacement.set(d.obsoletes, d.name);
  }
  const parameters = drafts.map((d) => Object.freeze(finish(d, replacement.get(d.name), source)));
  return Object.freeze({
    name,
    shortdesc: squeeze(shortdesc),
    longdesc,
    symlinks: Object.freeze(symlinks),
    parameters: Object.freeze(parameters),
    actions: Object.freeze(actions),
  });
}

function finish(d: ParameterDraft, replacedBy: string | undefined, source: string): FenceParameter {
  const where = `parameter '${d.name}'`;
  if (d.type === undefined) throw new DecodeError(`${where} has no <content type>`, source, 0);
  const type = d.type as FenceParameterType;
  if (!fenceParameterTypes.includes(type)) {
    throw new DecodeError(`${where} has type '${d.type}' — expected one of ${fenceParameterTypes.join(', ')}`, source, 0);
  }
  if (type === 'select' && d.choices.length === 0) throw new DecodeError(`${where} is a select without any <option>`, source, 0);
  if (type !== 'select' && d.choices.length > 0) throw new DecodeError(`${where} has <option>s but type '${type}'`, source, 0);
  let fallback = d.default;
  if (fallback !== undefined) {
    const shown = defaultProblem(type, fallback, d.choices);
    if (typeof shown !== 'string') throw new DecodeError(`${where} has default '${fallback}', which its type ${type} refuses`, source, 0);
    fallback = shown;
  }
  return {
    name: d.name,
    type,
    required: d.required,
    ...(fallback !== undefined ? { default: fallback } : {}),
    description: d.description,
    ...(type === 'select' ? { choices: Object.freeze([...d.choices]) } : {}),
    ...(d.getopt !== undefined ? { getopt: d.getopt } : {}),
    deprecated: d.deprecated || replacedBy !== undefined,
    ...(replacedBy !== undefined ? { replacedBy } : {}),
    ...(d.obsoletes !== undefined ? { obsoletes: d.obsoletes } : {}),
    secret: isSecretParameter(d.name),
  };
}

/** The default in its normalised form, or false when the type refuses it. Some agents print `True`/`False`. */
function defaultProblem(type: FenceParameterType, value: string, choices: readonly string[]): string | false {
  switch (type) {
    case 'boolean': {
      const v = value.toLowerCase();
      if (v === '1' || v === 'true') return '1';
      if (v === '0' || v === 'false') return '0';
      return false;
    }
    case 'integer': return /^-?\d+$/.test(value) ? value : false;
    case 'second': return /^\d+(\.\d+)?$/.test(value) ? value : false;
    case 'select': return choices.includes(value) ? value : false;
    case 'string': return value;
  }
}

function squeeze(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
