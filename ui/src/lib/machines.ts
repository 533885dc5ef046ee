/**
 * Machines, their boot timelines and kickstart status as the API shows them (the server's types,
 * api-types.ts), the PXE status, and the words an operator reads.
 */
import type { KickstartStatusView, MachineRole } from './api-types';

export type { KickstartStatusView, MachineRole, MachineView, TimelineEntryView } from './api-types';

/**
 * GET /api/pxe/status: `{enabled:false}`, or the running services with the loaders found at start.
 * The PXE area declares this answer only as `Record<string, unknown>` (`PxeStatusSource.status`),
 * so its shape is written out here, every field optional.
 */
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

type KickstartProblem = KickstartStatusView['problems'][number];

/** Where a kickstart problem points: a field path, or a line of a checked file. */
export function problemPlace(problem: KickstartProblem): string {
  return 'path' in problem ? problem.path : `${problem.source}:${problem.line}`;
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
