/**
 * Pure parsers for what the inventory collector reads: `lsblk --json --bytes` output,
 * /proc/cpuinfo, /proc/meminfo, and the facts read from /sys/class/net turned into interfaces
 * with their bond and bridge membership. Data in, data out; the collector does the reading.
 */
import { DecodeError } from '../core/errors/index.js';
import type { InventoryDisk, InventoryNic } from './inventory-schema.js';

/** The columns the collector asks lsblk for. */
export const lsblkColumns = 'NAME,PATH,TYPE,SIZE,MODEL,SERIAL,ROTA,RM';

interface LsblkDevice {
  name?: unknown;
  path?: unknown;
  type?: unknown;
  size?: unknown;
  model?: unknown;
  serial?: unknown;
  rota?: unknown;
  rm?: unknown;
  children?: unknown;
}

/** Device types that are disks (not partitions, loop devices, ram disks or optical drives). */
const diskTypes = new Set(['disk', 'mpath']);

/**
 * Disks from `lsblk --json --bytes -o <lsblkColumns>`. util-linux before 2.33 prints numbers and
 * booleans as strings ("480103981056", "0"); later versions print JSON numbers and booleans.
 * Zero-sized devices (an unconfigured zram or an empty card reader) are left out.
 */
export function parseLsblk(json: string): InventoryDisk[] {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (error) {
    throw new DecodeError(`is not JSON: ${(error as Error).message}`, 'lsblk output', 0);
  }
  const devices = (doc as { blockdevices?: unknown } | null)?.blockdevices;
  if (!Array.isArray(devices)) throw new DecodeError('has no "blockdevices" list', 'lsblk output', 0);
  const disks: InventoryDisk[] = [];
  for (const d of devices as LsblkDevice[]) {
    const name = str(d.name);
    const type = str(d.type) ?? '';
    const sizeBytes = num(d.size);
    if (name === null || !diskTypes.has(type) || sizeBytes === null || sizeBytes === 0) continue;
    disks.push({
      name,
      path: str(d.path) ?? `/dev/${name}`,
      type,
      sizeBytes,
      model: trimmed(d.model),
      serial: trimmed(d.serial),
      rotational: bool(d.rota),
      removable: bool(d.rm),
      children: childNames(d.children),
    });
  }
  return disks;
}

function childNames(children: unknown): string[] {
  if (!Array.isArray(children)) return [];
  const names: string[] = [];
  for (const c of children as LsblkDevice[]) {
    const n = str(c.name);
    if (n !== null) names.push(n);
    names.push(...childNames(c.children));
  }
  return [...new Set(names)];
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}

function trimmed(v: unknown): string | null {
  const s = str(v)?.trim();
  return s === undefined || s === '' ? null : s;
}

function num(v: unknown): number | null {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : null;
  }
  return null;
}

function bool(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (v === '1' || v === 1) return true;
  if (v === '0' || v === 0) return false;
  return null;
}

/**
 * CPU model and logical CPU count from /proc/cpuinfo: `model name` on x86, `Model` or the
 * `CPU part` on ARM when there is no model name.
 */
export function parseCpuinfo(text: string): { model: string; count: number } {
  let count = 0;
  let model: string | undefined;
  let fallback: string | undefined;
  for (const line of text.split('\n')) {
    const m = /^([^:]+?)\s*:\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, key, value] = m as unknown as [string, string, string];
    if (key === 'processor') count++;
    else if (key === 'model name' && model === undefined) model = value.trim();
    else if ((key === 'Model' || key === 'CPU part') && fallback === undefined) fallback = value.trim();
  }
  return { model: (model ?? fallback ?? 'unknown').slice(0, 255), count };
}

/** Total memory in bytes from /proc/meminfo's `MemTotal: <n> kB`. */
export function parseMeminfo(text: string): number {
  const m = /^MemTotal:\s+(\d+)\s*kB$/m.exec(text);
  if (!m) throw new DecodeError('has no "MemTotal: <n> kB" line', '/proc/meminfo', 0);
  return Number(m[1]) * 1024;
}

/** What the collector reads for one entry of /sys/class/net. */
export interface NetFacts {
  name: string;
  /** `address`; null when unreadable. */
  address: string | null;
  operstate: string | null;
  /** `speed` as read (may be "-1" or unreadable when the link is down). */
  speed: string | null;
  /** Whether `<iface>/device` exists (a physical NIC). */
  hasDevice: boolean;
  /** Whether `<iface>/bonding` exists (a bond). */
  isBond: boolean;
  /** Whether `<iface>/bridge` exists (a bridge). */
  isBridge: boolean;
  /** The name `<iface>/master` links to (the bond or bridge it belongs to). */
  master: string | null;
}

/**
 * Interfaces from /sys/class/net facts: loopback left out, MACs lower case (all-zero ones null),
 * speed null when the kernel does not know it, each bond and bridge listing its members.
 */
export function describeNics(facts: readonly NetFacts[]): InventoryNic[] {
  const members = new Map<string, string[]>();
  for (const f of facts) {
    if (f.master === null) continue;
    members.set(f.master, [...(members.get(f.master) ?? []), f.name]);
  }
  return facts
    .filter((f) => f.name !== 'lo')
    .map((f): InventoryNic => {
      const mac = f.address?.trim().toLowerCase() ?? null;
      const speed = f.speed === null ? NaN : Number(f.speed.trim());
      return {
        name: f.name,
        mac: mac === null || mac === '' || /^(00:)+00$/.test(mac) ? null : mac,
        operstate: (f.operstate?.trim() || 'unknown').slice(0, 32),
        speedMbps: Number.isInteger(speed) && speed > 0 ? speed : null,
        kind: f.isBond ? 'bond' : f.isBridge ? 'bridge' : f.hasDevice ? 'physical' : 'virtual',
        master: f.master,
        members: (members.get(f.name) ?? []).sort(),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}
