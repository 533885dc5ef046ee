/**
 * The wanted fencing part of the CIB for a node pair, as data (`planCib`) and as the `pcs`
 * commands that build it on an empty CIB (`pcsOperationsFor`; `reconcile.ts` computes the
 * commands that turn a live CIB into it).
 *
 * Per node, one stonith device per fence method and one fencing level per method, tried in this
 * order: the BMC (`fence_ipmilan`), then each PDU level — the outlets of a redundant PDU pair are
 * one level, so pacemaker switches both off before it reports the node off — and last
 * `fence_delay` (shipped with the agent, cluster/fence-delay/): it waits `delaySeconds` and
 * reports failure, so pacemaker goes back to the first level only after a BMC that lost power
 * with its node has had time to boot (without it, a PDU that cut the power but reported failure
 * sends pacemaker straight back to a BMC that cannot answer yet, round and round).
 *
 * Who survives a split: a static `pcmk_delay_base` on the first device that fences the preferred
 * node. In a split both nodes shoot at once; the shot at the preferred node waits, so the
 * preferred node's shot lands first and it survives. The preferred node is the one running the
 * servers: the caller plans with `preferredNode` set to where the servers run, and when they
 * move, `servers.migrate` moves the delay with them (split-preference.ts: two `pcs stonith update`s).
 * Chosen over `priority-fencing-delay` with resource priorities because: it decides a split
 * when no resource carries a priority (during formation, with the servers stopped, in
 * maintenance), where priority-fencing-delay leaves both shots undelayed and both nodes may
 * die; its effect is one visible attribute of one device; and a crashed node that is not the
 * preferred one is fenced with no delay at all. What it gives up — the preference follows a
 * migration only once the move has finished — costs a server restart on a split in that window,
 * never two nodes writing the same disk.
 */
import type { PairNode, PairPlanInput, SecretLookup } from './pair-input.js';

/** How long the shot at the preferred node waits in a split: longer than a BMC takes to power a node off. */
export const defaultSplitBrainDelaySeconds = 15;
/** Seconds between monitor operations of each stonith device (a BMC or PDU that stops answering shows up as a failed monitor). */
export const stonithMonitorInterval = '60s';

export type FenceMethodKind = 'ipmi' | 'pdu' | 'delay';

export interface StonithDevice {
  id: string;
  /** The node this device fences. */
  target: string;
  kind: FenceMethodKind;
  agent: string;
  /** Instance attributes, in the order pcs is given them. Secrets are resolved. */
  params: Record<string, string>;
  /** Names of params whose values are secrets (never logged, never shown). */
  secretParams: string[];
}

export interface FenceLevel {
  target: string;
  /** 1 is tried first. */
  index: number;
  devices: string[];
}

export interface CibPlan {
  properties: Record<string, string>;
  devices: StonithDevice[];
  levels: FenceLevel[];
  /** Each device is kept off the node it fences (a node cannot be trusted to fence itself). */
  avoids: { device: string; node: string }[];
}

export interface CibPlanOptions {
  splitBrainDelaySeconds?: number;
}

/** The fencing configuration the pair should have. Throws when a secret it names is unknown. */
export function planCib(input: PairPlanInput, secrets: SecretLookup, options: CibPlanOptions = {}): CibPlan {
  const delay = options.splitBrainDelaySeconds ?? defaultSplitBrainDelaySeconds;
  const devices: StonithDevice[] = [];
  const levels: FenceLevel[] = [];
  for (const node of input.nodes) {
    const methods = devicesFor(node, secrets);
    if (node.name === input.preferredNode) {
      const first = methods[0]?.[0];
      if (first !== undefined) first.params['pcmk_delay_base'] = `${delay}s`;
    }
    methods.forEach((level, i) => {
      devices.push(...level);
      levels.push({ target: node.name, index: i + 1, devices: level.map((d) => d.id) });
    });
  }
  return {
    properties: { 'stonith-enabled': 'true' },
    devices,
    levels,
    avoids: devices.map((d) => ({ device: d.id, node: d.target })),
  };
}

/** The node's devices grouped by level, in level order. */
function devicesFor(node: PairNode, secrets: SecretLookup): StonithDevice[][] {
  const levels: StonithDevice[][] = [];
  const f = node.fence;
  if (f.ipmi !== undefined) {
    const params: Record<string, string> = { ip: f.ipmi.address };
    if (f.ipmi.port !== undefined) params['ipport'] = String(f.ipmi.port);
    Object.assign(params, {
      username: f.ipmi.username,
      password: secrets(f.ipmi.passwordRef),
      lanplus: '1',
      cipher: String(f.ipmi.cipher ?? 3),
      pcmk_host_list: node.name,
    });
    levels.push([{ id: `fence-${node.name}-ipmi`, target: node.name, kind: 'ipmi', agent: 'fence_ipmilan', params, secretParams: ['password'] }]);
  }
  for (const level of f.pdus) {
    levels.push(level.outlets.map((outlet): StonithDevice => {
      const params: Record<string, string> = { ...outlet.params };
      if (outlet.passwordRef !== undefined) params['password'] = secrets(outlet.passwordRef);
      params['plug'] = outlet.plug;
      params['pcmk_host_list'] = node.name;
      return {
        id: `fence-${node.name}-${outlet.device}`, target: node.name, kind: 'pdu', agent: outlet.agent, params,
        secretParams: outlet.passwordRef === undefined ? [] : ['password'],
      };
    }));
  }
  if (f.delaySeconds !== undefined) {
    // The fencer kills an agent at pcmk_off_timeout and retries it while time remains: one
    // attempt, with room for the whole wait.
    const timeout = `${f.delaySeconds + 20}s`;
    levels.push([{
      id: `fence-${node.name}-delay`, target: node.name, kind: 'delay', agent: 'fence_delay',
      params: {
        wait: String(f.delaySeconds), pcmk_host_list: node.name,
        pcmk_off_timeout: timeout, pcmk_reboot_timeout: timeout, pcmk_off_retries: '1', pcmk_reboot_retries: '1',
      },
      secretParams: [],
    }]);
  }
  return levels;
}

/** One `pcs -f <cib>` command (argv after `pcs -f <file>`) and what it does, without secrets. */
export interface PcsOperation {
  args: string[];
  summary: string;
}

export function createDeviceOperation(d: StonithDevice): PcsOperation {
  return {
    args: ['stonith', 'create', d.id, d.agent, ...Object.entries(d.params).map(([k, v]) => `${k}=${v}`), 'op', 'monitor', `interval=${stonithMonitorInterval}`],
    summary: `create stonith device ${d.id} (${d.agent}) fencing ${d.target}`,
  };
}

export function addLevelOperation(l: FenceLevel): PcsOperation {
  return { args: ['stonith', 'level', 'add', String(l.index), l.target, ...l.devices], summary: `fencing level ${l.index} for ${l.target}: ${l.devices.join(' + ')}` };
}

export function avoidOperation(a: { device: string; node: string }): PcsOperation {
  return { args: ['constraint', 'location', a.device, 'avoids', a.node], summary: `keep ${a.device} off ${a.node}` };
}

export function setPropertiesOperation(properties: Record<string, string>): PcsOperation {
  const pairs = Object.entries(properties).map(([k, v]) => `${k}=${v}`);
  return { args: ['property', 'set', ...pairs], summary: `set ${pairs.join(' ')}` };
}

/** The commands that build the plan on an empty CIB, in an order pcs accepts (devices before the levels and constraints naming them). */
export function pcsOperationsFor(plan: CibPlan): PcsOperation[] {
  return [
    setPropertiesOperation(plan.properties),
    ...plan.devices.map(createDeviceOperation),
    ...plan.levels.map(addLevelOperation),
    ...plan.avoids.map(avoidOperation),
  ];
}

/** An operation as it may be logged or shown: secret parameter values replaced by `***`. */
export function redactOperation(op: PcsOperation, plan: CibPlan): string {
  const secret = new Set(plan.devices.flatMap((d) => d.secretParams.map((p) => `${d.id}/${p}`)));
  const id = op.args[0] === 'stonith' && (op.args[1] === 'create' || op.args[1] === 'update') ? op.args[2] : undefined;
  return op.args.map((a) => {
    const eq = a.indexOf('=');
    return id !== undefined && eq > 0 && secret.has(`${id}/${a.slice(0, eq)}`) ? `${a.slice(0, eq)}=***` : a;
  }).join(' ');
}
