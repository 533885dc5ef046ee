/**
 * A pure reader of `crm_mon --output-as=xml` (pacemaker's crm_mon API schema, crm_mon-2.x.rng):
 * the nodes and their state, the resources and where they run (groups and clones flattened, each
 * instance keeping its group or clone), failed actions and the fencing history. Anything it
 * cannot read for certain — malformed or truncated XML, a result that reports an error, a node or
 * resource missing a field it needs, a flag that is neither true nor false — is a DecodeError
 * naming the element: a wrong reading of a cluster's state is worse than none.
 */
import { DecodeError } from '../striker/core/errors/index.js';
import { child, childrenNamed, parseXml, type XmlElement } from './pacemaker-xml.js';

export interface ClusterNode {
  name: string;
  id: string;
  online: boolean;
  standby: boolean;
  /** In standby because a resource failed there (on-fail=standby). */
  standbyOnFail: boolean;
  maintenance: boolean;
  pending: boolean;
  /** Lost without being fenced yet: pacemaker will fence it before trusting it again. */
  unclean: boolean;
  shutdown: boolean;
  isDc: boolean;
  resourcesRunning: number;
}

export interface ResourceInstance {
  id: string;
  /** `class:provider:type`, e.g. `ocf:heartbeat:Dummy` or `stonith:fence_ipmilan`. */
  agent: string;
  role: string;
  active: boolean;
  failed: boolean;
  managed: boolean;
  blocked: boolean;
  /** Nodes it runs on (empty when stopped). */
  nodes: string[];
  group?: string;
  clone?: string;
}

export interface FailedAction {
  opKey: string;
  node: string;
  task: string;
  exitCode: number;
  exitStatus: string;
  exitReason: string;
  /** Milliseconds; 0 for one-off operations. */
  interval: number;
  lastRcChange: string;
}

export interface FenceEvent {
  target: string;
  action: string;
  status: 'success' | 'failed' | 'pending';
  origin: string;
  client: string;
  delegate?: string;
  completed?: string;
  exitReason?: string;
}

export interface ClusterState {
  dc?: string;
  quorate?: boolean;
  stonithEnabled: boolean;
  maintenanceMode: boolean;
  nodes: ClusterNode[];
  resources: ResourceInstance[];
  failedActions: FailedAction[];
  /** Present when crm_mon was asked for it (`--fence-history`) and the fencer answered. */
  fenceHistory: FenceEvent[];
}

const what = 'crm_mon output';

function fail(message: string): never {
  throw new DecodeError(message, what, 0);
}

/** `<node an-a01n01>`: the element and its id or name, for messages. */
function label(el: XmlElement): string {
  const id = el.attrs['id'] ?? el.attrs['name'];
  return `<${el.name}${id === undefined ? '' : ` ${id}`}>`;
}

function attr(el: XmlElement, name: string): string {
  const v = el.attrs[name];
  if (v === undefined) fail(`${label(el)} has no ${name} attribute`);
  return v;
}

function flag(el: XmlElement, name: string, absent?: boolean): boolean {
  const v = el.attrs[name];
  if (v === undefined && absent !== undefined) return absent;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return fail(`${label(el)} ${name} must be true or false — got ${v === undefined ? 'nothing' : `'${v}'`}`);
}

function int(el: XmlElement, name: string, absent?: number): number {
  const v = el.attrs[name];
  if (v === undefined && absent !== undefined) return absent;
  const n = Number((v ?? '').replace(/ms$/, ''));
  if (v === undefined || v === '' || !Number.isInteger(n)) fail(`${label(el)} ${name} must be a whole number — got ${v === undefined ? 'nothing' : `'${v}'`}`);
  return n;
}

export function parseCrmMon(text: string): ClusterState {
  const root = parseXml(text, what);
  if (root.name !== 'pacemaker-result') fail(`root element must be <pacemaker-result> — got <${root.name}>`);
  const status = child(root, 'status');
  if (status === undefined) fail('has no <status> (truncated?)');
  if (status.attrs['code'] !== '0') fail(`crm_mon reported an error: code ${status.attrs['code'] ?? '?'} ${status.attrs['message'] ?? ''}`.trim());

  const summary = child(root, 'summary');
  if (summary === undefined) fail('has no <summary>');
  const dcEl = child(summary, 'current_dc');
  const dcPresent = dcEl !== undefined && flag(dcEl, 'present');
  const options = child(summary, 'cluster_options');
  if (options === undefined) fail('<summary> has no <cluster_options>');

  const nodesEl = child(root, 'nodes');
  if (nodesEl === undefined) fail('has no <nodes>');
  const nodes = childrenNamed(nodesEl, 'node').map((n): ClusterNode => ({
    name: attr(n, 'name'),
    id: attr(n, 'id'),
    online: flag(n, 'online'),
    standby: flag(n, 'standby'),
    standbyOnFail: flag(n, 'standby_onfail', false),
    maintenance: flag(n, 'maintenance', false),
    pending: flag(n, 'pending', false),
    unclean: flag(n, 'unclean'),
    shutdown: flag(n, 'shutdown', false),
    isDc: flag(n, 'is_dc', false),
    resourcesRunning: int(n, 'resources_running', 0),
  }));

  const resources: ResourceInstance[] = [];
  const resourcesEl = child(root, 'resources');
  if (resourcesEl !== undefined) collectResources(resourcesEl, {}, resources);

  const failedActions = childrenNamed(child(root, 'failures') ?? emptyEl, 'failure').map((f): FailedAction => ({
    opKey: attr(f, 'op_key'),
    node: attr(f, 'node'),
    task: attr(f, 'task'),
    exitCode: int(f, 'exitcode'),
    exitStatus: attr(f, 'exitstatus'),
    exitReason: f.attrs['exitreason'] ?? '',
    interval: int(f, 'interval', 0),
    lastRcChange: f.attrs['last-rc-change'] ?? '',
  }));

  const fenceHistory = childrenNamed(child(root, 'fence_history') ?? emptyEl, 'fence_event').map((e): FenceEvent => {
    const s = attr(e, 'status');
    if (s !== 'success' && s !== 'failed' && s !== 'pending') fail(`<fence_event> status must be success, failed or pending — got '${s}'`);
    const event: FenceEvent = { target: attr(e, 'target'), action: attr(e, 'action'), status: s, origin: attr(e, 'origin'), client: attr(e, 'client') };
    if (e.attrs['delegate'] !== undefined) event.delegate = e.attrs['delegate'];
    if (e.attrs['completed'] !== undefined) event.completed = e.attrs['completed'];
    if (e.attrs['exit-reason'] !== undefined) event.exitReason = e.attrs['exit-reason'];
    return event;
  });

  const state: ClusterState = {
    stonithEnabled: flag(options, 'stonith-enabled'),
    maintenanceMode: flag(options, 'maintenance-mode', false),
    nodes,
    resources,
    failedActions,
    fenceHistory,
  };
  if (dcPresent) {
    state.dc = attr(dcEl, 'name');
    state.quorate = flag(dcEl, 'with_quorum');
  }
  return state;
}

const emptyEl: XmlElement = { name: '', attrs: {}, children: [] };

function collectResources(el: XmlElement, within: { group?: string; clone?: string }, out: ResourceInstance[]): void {
  for (const c of el.children) {
    if (c.name === 'group') collectResources(c, { ...within, group: attr(c, 'id') }, out);
    else if (c.name === 'clone' || c.name === 'bundle') collectResources(c, { ...within, clone: attr(c, 'id') }, out);
    else if (c.name === 'resource') {
      const r: ResourceInstance = {
        id: attr(c, 'id'),
        agent: attr(c, 'resource_agent'),
        role: attr(c, 'role'),
        active: flag(c, 'active'),
        failed: flag(c, 'failed'),
        managed: flag(c, 'managed'),
        blocked: flag(c, 'blocked', false),
        nodes: childrenNamed(c, 'node').map((n) => attr(n, 'name')),
        ...within,
      };
      out.push(r);
    }
  }
}

/** Nodes a resource (any instance of it) runs on. */
export function nodesRunning(state: ClusterState, resourceId: string): string[] {
  return [...new Set(state.resources.filter((r) => r.id === resourceId).flatMap((r) => r.nodes))];
}
