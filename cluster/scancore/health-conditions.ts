/**
 * The health conditions, as data: which readings make a host less healthy and by how much. A
 * reading counts once, for the first condition in this list that matches it, so a failed fan is
 * "fan failed" and not also "a sensor is critical". Weights are small integers, higher is sicker,
 * on the scale of Anvil!'s health table (a warning 1–2, a failed part 5, a degraded array 10);
 * `scancore.health.weights` replaces any of them by id. `alert` is the level at which a condition
 * a node meets is told to the admin (condition-alerts.ts), null for none.
 */
import type { AlertLevel } from './alerts/index.js';
import type { ReadingStatus } from './reading.js';

export type HealthCondition =
  | {
      kind: 'reading';
      id: string;
      weight: number;
      /** A metric (`ipmi.fan`), or a prefix ending in a dot (`ipmi.`) for every metric under it. */
      metric: string;
      statuses: readonly ReadingStatus[];
      /** The status must have held at least this long. */
      forSeconds?: number;
      title: string;
      alert: AlertLevel | null;
    }
  | {
      kind: 'less-than-peer';
      id: string;
      weight: number;
      fact: 'ramBytes';
      title: string;
      alert: AlertLevel | null;
    };

export const defaultHealthConditions: readonly HealthCondition[] = Object.freeze([
  { kind: 'reading', id: 'array-degraded', weight: 10, metric: 'storage.array', statuses: ['critical'], title: 'RAID array degraded', alert: 'warning' },
  { kind: 'reading', id: 'array-rebuilding', weight: 3, metric: 'storage.array', statuses: ['warning'], title: 'RAID array rebuilding', alert: 'notice' },
  { kind: 'reading', id: 'drbd-disk-failed', weight: 10, metric: 'drbd.disk', statuses: ['critical'], title: 'replicated storage has no usable local disk', alert: 'warning' },
  { kind: 'reading', id: 'drbd-disk-syncing', weight: 3, metric: 'drbd.disk', statuses: ['warning'], title: 'replicated storage not up to date', alert: 'info' },
  { kind: 'reading', id: 'disk-failing', weight: 5, metric: 'storage.disk', statuses: ['critical'], title: 'disk fails its SMART check', alert: 'warning' },
  { kind: 'reading', id: 'disk-sectors', weight: 2, metric: 'storage.disk-sectors', statuses: ['warning'], title: 'disk has reallocated or pending sectors', alert: 'notice' },
  { kind: 'reading', id: 'fan-failed', weight: 5, metric: 'ipmi.fan', statuses: ['critical'], title: 'fan failed', alert: 'warning' },
  { kind: 'reading', id: 'fan-warning', weight: 2, metric: 'ipmi.fan', statuses: ['warning'], title: 'fan slow', alert: 'notice' },
  { kind: 'reading', id: 'temperature-critical', weight: 5, metric: 'ipmi.temperature', statuses: ['critical'], title: 'temperature critical', alert: 'warning' },
  { kind: 'reading', id: 'temperature-warning', weight: 2, metric: 'ipmi.temperature', statuses: ['warning'], title: 'temperature high', alert: 'notice' },
  { kind: 'reading', id: 'sensor-critical', weight: 2, metric: 'ipmi.', statuses: ['critical'], title: 'sensor critical', alert: 'warning' },
  { kind: 'reading', id: 'sensor-warning', weight: 1, metric: 'ipmi.', statuses: ['warning'], title: 'sensor warning', alert: 'notice' },
  { kind: 'reading', id: 'link-down', weight: 4, metric: 'link.state', statuses: ['critical'], forSeconds: 60, title: 'network link down for more than 60 s', alert: 'warning' },
  { kind: 'reading', id: 'bond-down', weight: 4, metric: 'link.bond', statuses: ['critical'], forSeconds: 60, title: 'every member of a bond down for more than 60 s', alert: 'warning' },
  { kind: 'reading', id: 'bond-degraded', weight: 2, metric: 'link.bond', statuses: ['warning'], forSeconds: 60, title: 'a bond member down for more than 60 s', alert: 'notice' },
  { kind: 'reading', id: 'server-crashed', weight: 2, metric: 'server.state', statuses: ['critical'], title: 'a server crashed', alert: 'warning' },
  { kind: 'less-than-peer', id: 'less-ram-than-peer', weight: 3, fact: 'ramBytes', title: 'less RAM than the peer', alert: null },
] satisfies HealthCondition[]);
