/**
 * Machines, their boot timelines and kickstart status as the API shows them
 * (GET /api/machines, /api/machines/:mac, /api/machines/:mac/kickstart/status).
 */
import type { Problem } from './api';

export type MachineRole = 'striker' | 'node' | 'dr';

export interface MachineView {
  id: string;
  mac: string;
  hostname: string | null;
  role: MachineRole | null;
  state: 'discovered' | 'assigned' | 'installing' | 'installed';
  reservedIp: string | null;
  vendor: string | null;
  firmware: string | null;
  firstSeenAt: string | null;
  lastSeenAt: string | null;
}

export interface TimelineEntryView {
  at: string;
  step: string;
  ip: string | null;
  details: Record<string, unknown>;
}

export interface KickstartStatusView {
  mac: string;
  status: 'ready' | 'failed' | 'unchecked' | 'incomplete';
  problems: Problem[];
  checkedAt: string | null;
  engine: string | null;
  stale: boolean;
}

/** GET /api/pxe/status: `{enabled:false}`, or the running services with the loaders found at start. */
export interface PxeStatusView {
  enabled?: boolean;
  interface?: string;
  address?: string;
  httpUrl?: string;
  loaders?: { available: string[]; problems: { loader: string; path: string; required: boolean; message: string }[] };
}

export const roles: readonly MachineRole[] = ['striker', 'node', 'dr'];

/** A timeline entry's details as `key=value` words (files, bytes, reasons), short enough for a row. */
export function detailText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}

/** Where a problem path points, in words: `machine.reservedIp` → `Reserved IP`. */
export function problemLabel(path: string): string {
  const labels: Record<string, string> = {
    'machine.role': 'Role',
    'machine.hostname': 'Host name',
    'machine.reservedIp': 'Reserved IP',
    identity: 'Striker identity',
    'settings.rootPassword': 'Root password',
    'settings.tree': 'Installation tree',
    'settings.repos': 'Repos',
    check: 'Check',
  };
  return labels[path] ?? path;
}
