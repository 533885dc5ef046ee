/**
 * Bringing a live CIB to the planned fencing configuration with as few changes as possible.
 * `readCibFencing` reads what a CIB has (from `cibadmin --query`); `diffCib` compares it with the
 * plan and returns only the pcs operations that change something — none when the CIB already
 * matches, so running the same plan twice changes nothing. `applyCibPlan` makes the change
 * atomic: it copies the CIB, runs the operations with `pcs -f <copy>`, and pushes the result in
 * one `pcs cluster cib-push <copy> diff-against=<original>`.
 *
 * Stonith devices are owned by their id: a device named `fence-<pair node>-…` that the plan no
 * longer has is deleted (pcs also drops its levels and constraints); any other device is left
 * alone.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandRunner } from '../striker/core/command/run-command.js';
import {
  addLevelOperation, avoidOperation, createDeviceOperation, setPropertiesOperation,
  type CibPlan, type FenceLevel, type PcsOperation, type StonithDevice,
} from './cib-plan.js';
import { child, childrenNamed, descendants, parseXml, type XmlElement } from './pacemaker-xml.js';

export interface LiveDevice {
  id: string;
  agent: string;
  params: Record<string, string>;
}

export interface LiveFencing {
  properties: Record<string, string>;
  devices: LiveDevice[];
  levels: FenceLevel[];
  /** Location constraints that keep a resource off a node with -INFINITY. */
  avoids: { device: string; node: string }[];
}

function nvpairs(el: XmlElement | undefined): Record<string, string> {
  if (el === undefined) return {};
  return Object.fromEntries(childrenNamed(el, 'nvpair').map((nv) => [nv.attrs['name'] ?? '', nv.attrs['value'] ?? '']));
}

/** The fencing-related parts of a CIB (`cibadmin --query` output). */
export function readCibFencing(cibXml: string): LiveFencing {
  const cib = parseXml(cibXml, 'CIB');
  if (cib.name !== 'cib') throw new Error(`a CIB must have <cib> as its root — got <${cib.name}>`);
  const configuration = child(cib, 'configuration');
  if (configuration === undefined) throw new Error('the CIB has no <configuration>');
  const crmConfig = child(configuration, 'crm_config');
  const properties = Object.assign({}, ...childrenNamed(crmConfig ?? { name: '', attrs: {}, children: [] }, 'cluster_property_set').map(nvpairs)) as Record<string, string>;
  const devices = descendants(child(configuration, 'resources') ?? { name: '', attrs: {}, children: [] }, 'primitive')
    .filter((p) => p.attrs['class'] === 'stonith')
    .map((p): LiveDevice => ({ id: p.attrs['id'] ?? '', agent: p.attrs['type'] ?? '', params: nvpairs(child(p, 'instance_attributes')) }));
  const levels = descendants(configuration, 'fencing-level').map((l): FenceLevel => ({
    target: l.attrs['target'] ?? '', index: Number(l.attrs['index']), devices: (l.attrs['devices'] ?? '').split(',').filter((d) => d !== ''),
  }));
  const avoids = descendants(child(configuration, 'constraints') ?? { name: '', attrs: {}, children: [] }, 'rsc_location')
    .filter((c) => c.attrs['node'] !== undefined && c.attrs['score'] === '-INFINITY')
    .map((c) => ({ device: c.attrs['rsc'] ?? '', node: c.attrs['node'] ?? '' }));
  return { properties, devices, levels, avoids };
}

function sameParams(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => a[k] === b[k]);
}

function updateOperation(want: StonithDevice, live: LiveDevice): PcsOperation {
  const changed = Object.entries(want.params).filter(([k, v]) => live.params[k] !== v).map(([k, v]) => `${k}=${v}`);
  const removed = Object.keys(live.params).filter((k) => !(k in want.params)).map((k) => `${k}=`);
  return { args: ['stonith', 'update', want.id, ...changed, ...removed], summary: `update stonith device ${want.id}: ${[...changed, ...removed].map((a) => a.split('=')[0]).join(', ')}` };
}

/** The pcs operations that turn `live` into `plan`, in an order pcs accepts; empty when nothing differs. */
export function diffCib(plan: CibPlan, live: LiveFencing, pairNodes: readonly string[]): PcsOperation[] {
  const ops: PcsOperation[] = [];
  const changedProps = Object.fromEntries(Object.entries(plan.properties).filter(([k, v]) => live.properties[k] !== v));
  if (Object.keys(changedProps).length > 0) ops.push(setPropertiesOperation(changedProps));

  const wanted = new Map(plan.devices.map((d) => [d.id, d]));
  const liveById = new Map(live.devices.map((d) => [d.id, d]));
  const owned = (id: string) => pairNodes.some((n) => id.startsWith(`fence-${n}-`));
  const recreated = new Set(plan.devices.filter((d) => liveById.has(d.id) && liveById.get(d.id)?.agent !== d.agent).map((d) => d.id));
  const removed = live.devices.filter((d) => (!wanted.has(d.id) && owned(d.id)) || recreated.has(d.id)).map((d) => d.id);
  const gone = new Set(removed);

  // Levels that change are removed first (a level must not name a device that is about to go).
  const key = (l: FenceLevel) => `${l.target}#${l.index}`;
  const wantedLevels = new Map(plan.levels.map((l) => [key(l), l]));
  const liveLevels = new Map(live.levels.map((l) => [key(l), l]));
  for (const l of live.levels) {
    if (!pairNodes.includes(l.target)) continue;
    const w = wantedLevels.get(key(l));
    if (w !== undefined && w.devices.join(',') === l.devices.join(',') && !l.devices.some((d) => gone.has(d))) continue;
    ops.push({ args: ['stonith', 'level', 'remove', String(l.index), 'target', l.target], summary: `remove fencing level ${l.index} for ${l.target}` });
    liveLevels.delete(key(l));
  }
  for (const id of removed) ops.push({ args: ['stonith', 'delete', id], summary: `delete stonith device ${id}` });
  for (const d of plan.devices) {
    const l = liveById.get(d.id);
    if (l === undefined || recreated.has(d.id)) ops.push(createDeviceOperation(d));
    else if (!sameParams(d.params, l.params)) ops.push(updateOperation(d, l));
  }
  for (const l of plan.levels) if (!liveLevels.has(key(l))) ops.push(addLevelOperation(l));
  const liveAvoids = new Set(live.avoids.filter((a) => !gone.has(a.device)).map((a) => `${a.device}@${a.node}`));
  for (const a of plan.avoids) if (!liveAvoids.has(`${a.device}@${a.node}`)) ops.push(avoidOperation(a));
  return ops;
}

/** Where the CIB is read from and pushed to: the live cluster, or a file in tests. */
export interface CibAccess {
  /** The CIB as `cibadmin --query` prints it. */
  query(): Promise<string>;
  /** Replaces the CIB with `copy`, as a diff against `original` (`pcs cluster cib-push copy diff-against=original`). */
  push(copy: string, original: string): Promise<void>;
}

export function liveCib(run: CommandRunner): CibAccess {
  return {
    query: async () => (await run(['cibadmin', '--query'], { timeoutMs: 60_000 })).stdout,
    push: async (copy, original) => {
      await run(['pcs', 'cluster', 'cib-push', copy, `diff-against=${original}`], { timeoutMs: 120_000 });
    },
  };
}

export interface ApplyResult {
  /** The operations run (empty: the CIB already matched and nothing was pushed). */
  operations: PcsOperation[];
}

/** Reconciles the CIB with the plan: compare, run the changes on a copy with `pcs -f`, push once. */
export async function applyCibPlan(plan: CibPlan, pairNodes: readonly string[], cib: CibAccess, run: CommandRunner): Promise<ApplyResult> {
  const current = await cib.query();
  const operations = diffCib(plan, readCibFencing(current), pairNodes);
  if (operations.length === 0) return { operations };
  const dir = mkdtempSync(join(tmpdir(), 'striker-cib-'));
  try {
    const original = join(dir, 'original.xml');
    const copy = join(dir, 'wanted.xml');
    writeFileSync(original, current, { mode: 0o600 });
    copyFileSync(original, copy);
    for (const op of operations) await run(['pcs', '-f', copy, ...op.args], { timeoutMs: 120_000 });
    await cib.push(copy, original);
    return { operations };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
