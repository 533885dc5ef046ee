/**
 * The fence devices of a cluster as the Cluster page shows them: from the CIB (`cibadmin --query`,
 * read by `readCibFencing`) each stonith device, its agent, the node it fences and its fencing
 * level, and the parameters that say where it points (never a password: only the keys in
 * `shownParams`); from `crm_mon --output-as=xml` where it runs and its last test — the newest
 * `start` or `monitor` operation pacemaker ran for it (a fence agent's monitor asks the device
 * whether it answers), with its result and time.
 */
import { DecodeError } from '../../striker/core/errors/index.js';
import type { LiveFencing } from '../reconcile.js';
import { child, childrenNamed, descendants, parseXml } from '../pacemaker-xml.js';

/** Parameters that locate a device; every other one (passwords, keys, community strings) stays on the node. */
export const shownParams = ['ip', 'ipaddr', 'ipport', 'port', 'plug', 'lanplus', 'cipher', 'username', 'pcmk_host_list', 'pcmk_delay_base', 'delay'] as const;

export interface DeviceTest {
  /** `monitor` or `start`. */
  task: string;
  node: string;
  ok: boolean;
  rc: number;
  rcText: string;
  /** As pacemaker prints it (`last-rc-change`). */
  at: string;
}

export interface FenceDevice {
  id: string;
  agent: string;
  /** The node it fences: its fencing-level target, else `pcmk_host_list`. */
  target?: string;
  /** Its fencing level (1 = tried first), when in the topology. */
  level?: number;
  params: Record<string, string>;
  runningOn: string[];
  lastTest?: DeviceTest;
}

interface Operation extends DeviceTest {
  resource: string;
  call: number;
}

/** The start and monitor operations in crm_mon's node history, per resource. */
export function deviceOperations(crmMonXml: string): Operation[] {
  const root = parseXml(crmMonXml, 'crm_mon output');
  const history = child(root, 'node_history');
  if (history === undefined) return [];
  return childrenNamed(history, 'node').flatMap((node) => childrenNamed(node, 'resource_history').flatMap((rh) =>
    childrenNamed(rh, 'operation_history').filter((op) => op.attrs['task'] === 'monitor' || op.attrs['task'] === 'start').map((op): Operation => {
      const rc = Number(op.attrs['rc']);
      if (!Number.isInteger(rc)) throw new DecodeError(`<operation_history> of ${rh.attrs['id'] ?? '?'} has rc '${op.attrs['rc'] ?? ''}'`, 'crm_mon output', 0);
      return {
        resource: rh.attrs['id'] ?? '', node: node.attrs['name'] ?? '', task: op.attrs['task'] ?? '', call: Number(op.attrs['call'] ?? 0),
        rc, ok: rc === 0, rcText: op.attrs['rc_text'] ?? '', at: op.attrs['last-rc-change'] ?? '',
      };
    })));
}

export function fenceDevices(cib: LiveFencing, crmMonXml: string): FenceDevice[] {
  const operations = deviceOperations(crmMonXml);
  const root = parseXml(crmMonXml, 'crm_mon output');
  const running = new Map(descendants(child(root, 'resources') ?? { name: '', attrs: {}, children: [] }, 'resource')
    .map((r) => [r.attrs['id'] ?? '', childrenNamed(r, 'node').map((n) => n.attrs['name'] ?? '')] as const));
  return cib.devices.map((d): FenceDevice => {
    const level = cib.levels.find((l) => l.devices.includes(d.id));
    const params = Object.fromEntries(Object.entries(d.params).filter(([k]) => (shownParams as readonly string[]).includes(k)));
    const device: FenceDevice = { id: d.id, agent: d.agent, params, runningOn: running.get(d.id) ?? [] };
    const target = level?.target ?? d.params['pcmk_host_list']?.split(/[ ,]+/)[0];
    if (target !== undefined && target !== '') device.target = target;
    if (level !== undefined) device.level = level.index;
    // pacemaker numbers calls per node; the newest test is the one with the latest time, then call.
    const tests = operations.filter((o) => o.resource === d.id).sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || b.call - a.call);
    const last = tests[0];
    if (last !== undefined) device.lastTest = { task: last.task, node: last.node, ok: last.ok, rc: last.rc, rcText: last.rcText, at: last.at };
    return device;
  });
}
