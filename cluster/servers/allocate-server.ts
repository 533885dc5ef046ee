/**
 * Allocation of a new server's DRBD minor and ports on its pair (and DR host): the lowest minor
 * and the lowest block of ports no server on any of the same hosts uses, and a name no server
 * has. An explicit minor or port is checked instead of chosen. Every problem is listed at once
 * (a bad name, a name in use, a minor or a port in use, a host without an SN address), before
 * anything is written anywhere.
 *
 * A minor and a port are host resources, so two servers conflict when they share any host: two
 * pairs that share a DR host share its minors and ports.
 */
import { z } from 'zod';
import type { Problem } from '../../striker/core/errors/index.js';
import { ValidationError } from '../../striker/core/errors/index.js';
import { ipv4Schema } from '../../striker/core/net/ipv4.js';
import { problemsFromZod } from '../../striker/core/validation/zod-problems.js';
import { drbdDevicePath, maxDrbdMinor, portsPerServer } from './drbd-resource.js';
import { hostNameSchema, serverNameSchema } from './server-names.js';

/** DRBD's customary first port; a server takes `portsPerServer` consecutive ports from here on. */
export const firstDrbdPort = 7788;
export const lastDrbdPort = 65535;

/** A server that already exists (a row of the servers table). */
export interface ExistingServer {
  name: string;
  /** The hosts its DRBD resource lives on: both subnodes and the DR host when it is protected. */
  hosts: readonly string[];
  minor: number;
  /** The first of its `portsPerServer` ports. */
  port: number;
}

const allocationHostSchema = z.strictObject({
  name: hostNameSchema,
  /** The host's SN address; required (DRBD replicates over the SN), checked with the other problems. */
  snAddress: ipv4Schema.optional(),
});

export const allocationRequestSchema = z.strictObject({
  name: serverNameSchema,
  nodes: z.tuple([allocationHostSchema, allocationHostSchema]),
  dr: allocationHostSchema.extend({ protocol: z.enum(['A', 'C']) }).optional(),
  /** A chosen minor (checked, not allocated). */
  minor: z.int().min(0).max(maxDrbdMinor).optional(),
  /** A chosen first port (checked, not allocated). */
  port: z.int().min(1024).max(lastDrbdPort - (portsPerServer - 1)).optional(),
});

export type AllocationRequest = z.input<typeof allocationRequestSchema>;

export interface AllocatedHost { name: string; address: string }

export interface Allocation {
  name: string;
  minor: number;
  /** The first port; the pair's connection uses it, the DR connections the next two. */
  port: number;
  device: string;
  nodes: [AllocatedHost, AllocatedHost];
  dr?: AllocatedHost & { protocol: 'A' | 'C' };
}

const rangesOverlap = (a: number, b: number) => Math.abs(a - b) < portsPerServer;

/** Allocates a minor and ports for `request` among `existing`, or throws ValidationError listing every problem. */
export function allocateServer(existing: readonly ExistingServer[], request: unknown): Allocation {
  const parsed = allocationRequestSchema.safeParse(request);
  const problems: Problem[] = parsed.success ? [] : problemsFromZod(parsed.error, request);
  const raw = (typeof request === 'object' && request !== null ? request : {}) as Record<string, unknown>;

  // The checks below read each field on its own, so a bad name still lets a used minor be reported.
  const name = typeof raw['name'] === 'string' ? raw['name'] : undefined;
  const hostEntries: { path: string; value: Record<string, unknown> }[] = [];
  if (Array.isArray(raw['nodes'])) raw['nodes'].forEach((n, i) => { if (typeof n === 'object' && n !== null) hostEntries.push({ path: `nodes.${i}`, value: n as Record<string, unknown> }); });
  if (typeof raw['dr'] === 'object' && raw['dr'] !== null) hostEntries.push({ path: 'dr', value: raw['dr'] as Record<string, unknown> });
  const hostNames = hostEntries.map((h) => h.value['name']).filter((n): n is string => typeof n === 'string');

  if (name !== undefined) {
    const same = existing.find((s) => s.name.toLowerCase() === name.toLowerCase());
    if (same) problems.push({ path: 'name', message: `is already used by server ${same.name}` });
  }
  for (const h of hostEntries) {
    if (h.value['snAddress'] === undefined) {
      problems.push({ path: `${h.path}.snAddress`, message: `is required: DRBD replicates over the SN, and ${String(h.value['name'] ?? 'this host')} has no SN address` });
    }
  }
  hostNames.forEach((n, i) => {
    const first = hostNames.indexOf(n);
    if (first !== i) problems.push({ path: hostEntries[i]!.path, message: `names ${n}, which ${hostEntries[first]!.path} already names` });
  });

  const sharing = existing.filter((s) => s.hosts.some((h) => hostNames.includes(h)));
  const where = (s: ExistingServer) => s.hosts.filter((h) => hostNames.includes(h)).join(', ');
  const minor = raw['minor'];
  if (typeof minor === 'number') {
    const user = sharing.find((s) => s.minor === minor);
    if (user) problems.push({ path: 'minor', message: `minor ${minor} is already used by server ${user.name} on ${where(user)}` });
  }
  const port = raw['port'];
  if (typeof port === 'number') {
    const user = sharing.find((s) => rangesOverlap(s.port, port));
    if (user) {
      problems.push({
        path: 'port',
        message: `ports ${port}–${port + portsPerServer - 1} overlap ports ${user.port}–${user.port + portsPerServer - 1} of server ${user.name} on ${where(user)}`,
      });
    }
  }

  const freeMinor = typeof minor === 'number' ? minor : lowestFreeMinor(sharing);
  const freePort = typeof port === 'number' ? port : lowestFreePort(sharing);
  if (freeMinor === undefined) problems.push({ path: 'minor', message: `no DRBD minor is free on ${hostNames.join(', ')}` });
  if (freePort === undefined) problems.push({ path: 'port', message: `no ${portsPerServer} consecutive ports are free on ${hostNames.join(', ')}` });

  if (problems.length > 0 || !parsed.success || freeMinor === undefined || freePort === undefined) {
    throw new ValidationError(problems, 'server allocation');
  }
  const r = parsed.data;
  const host = (h: { name: string; snAddress?: string | undefined }): AllocatedHost => ({ name: h.name, address: h.snAddress! });
  return {
    name: r.name,
    minor: freeMinor,
    port: freePort,
    device: drbdDevicePath(freeMinor),
    nodes: [host(r.nodes[0]), host(r.nodes[1])],
    ...(r.dr ? { dr: { ...host(r.dr), protocol: r.dr.protocol } } : {}),
  };
}

function lowestFreeMinor(sharing: readonly ExistingServer[]): number | undefined {
  const used = new Set(sharing.map((s) => s.minor));
  for (let m = 0; m <= maxDrbdMinor; m++) if (!used.has(m)) return m;
  return undefined;
}

function lowestFreePort(sharing: readonly ExistingServer[]): number | undefined {
  const used = sharing.map((s) => s.port).sort((a, b) => a - b);
  for (let p = firstDrbdPort; p <= lastDrbdPort - (portsPerServer - 1); p += 1) {
    const clash = used.find((u) => rangesOverlap(u, p));
    if (clash === undefined) return p;
    p = clash + portsPerServer - 1;
  }
  return undefined;
}
