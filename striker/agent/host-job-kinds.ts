/**
 * The job kinds an agent runs on its host: each kind's payload schema and retry policy, shared by
 * Striker (validated on enqueue) and the agent (validated again on claim, before anything runs).
 * Payloads are typed data; never a command line.
 */
import { z } from 'zod';

const reason = z.string().max(200).optional();

export const hostJobPayloads = {
  'host.inventory': z.strictObject({}),
  'host.run-checks': z.strictObject({}),
  'host.reboot': z.strictObject({ reason }),
  'host.poweroff': z.strictObject({ reason }),
} as const;

export type HostJobKind = keyof typeof hostJobPayloads;
export type HostJobPayload<K extends HostJobKind> = z.output<(typeof hostJobPayloads)[K]>;

export const hostJobKindNames = Object.keys(hostJobPayloads) as HostJobKind[];

export interface HostJobKindInfo {
  kind: HostJobKind;
  title: string;
  /** Attempts in all, including the first. */
  maxAttempts: number;
  /** When the agent running it stops heartbeating: run it again (if attempts remain) or fail it. */
  onStale: 'retry' | 'fail';
}

/** Power actions run at most once: an agent that vanished mid-reboot most likely rebooted. */
export const hostJobKinds: Readonly<Record<HostJobKind, HostJobKindInfo>> = {
  'host.inventory': { kind: 'host.inventory', title: 'Collect the host inventory', maxAttempts: 3, onStale: 'retry' },
  'host.run-checks': { kind: 'host.run-checks', title: 'Check which cluster tools the host has', maxAttempts: 3, onStale: 'retry' },
  'host.reboot': { kind: 'host.reboot', title: 'Reboot the host', maxAttempts: 1, onStale: 'fail' },
  'host.poweroff': { kind: 'host.poweroff', title: 'Power the host off', maxAttempts: 1, onStale: 'fail' },
};

export function isHostJobKind(kind: string): kind is HostJobKind {
  return Object.hasOwn(hostJobPayloads, kind);
}
