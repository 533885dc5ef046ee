/**
 * Machines, their boot timelines and kickstart status as the API shows them (the server's types,
 * api-types.ts), the PXE status, and the words an operator reads.
 */
import type { BootPhaseView, KickstartStatusView, MachineRole } from './api-types';

export type { BootPhaseView, KickstartStatusView, MachineRole, MachineView, TimelineEntryView } from './api-types';

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
  loaders?: { available: string[]; problems: { loader: string; path: string; required: boolean; message: string; remedy?: string }[] };
  /** pxe/ipv6/router-advertiser.ts RouterAdvertiserStatus, the fields shown. */
  ipv6RouterAdvertisements?: { state: string; reason: string; foreignRouter?: { address: string } };
}

export const roles: readonly MachineRole[] = ['striker', 'node', 'dr'];

/** A timeline entry's details as `key=value` words (files, bytes, reasons), short enough for a row. */
export function detailText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}

/** What each boot phase covers, in the operator's words (striker/machines/boot-phases.ts). */
export const phaseWords: Record<BootPhaseView['name'], string> = {
  dhcp: 'DHCP discover → ack',
  loader: 'First loader',
  'dhcp-again': "The loader's own DHCP",
  script: "Boot script (includes the firmware's network setup)",
  kernel: 'Kernel',
  initrd: 'Initrd',
  kickstart: 'Kernel boot → kickstart fetched',
  install: 'Install',
  registered: 'Host registered',
};

/** A phase's length: hundredths under 10 s, tenths above (phases are often under a second). */
export function seconds(ms: number): string {
  if (ms < 0 || !Number.isFinite(ms)) return '–';
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** A transfer's file, size, own time and rate, as far as they were recorded. */
export function transferText(p: BootPhaseView): string {
  const parts: string[] = [];
  if (p.file) parts.push(p.file);
  if (p.bytes !== undefined) parts.push(`${(p.bytes / 1e6).toFixed(1)} MB`);
  if (p.transferMs !== undefined) parts.push(`in ${seconds(p.transferMs)}`);
  if (p.bytes !== undefined && p.transferMs !== undefined && p.transferMs > 0) parts.push(`(${(p.bytes / 1e3 / p.transferMs).toFixed(1)} MB/s)`);
  if (p.outcome) parts.push(p.outcome);
  return parts.join(' ');
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
