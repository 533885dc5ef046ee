/**
 * A pair's DR link and a server's DR protection as the tables keep them (migration 0034) and as
 * the API shows them.
 */

export const drProtocols = ['A', 'C'] as const;
export type DrProtocol = (typeof drProtocols)[number];

/** `always-on`: the DR host stays connected. `boot-sync-shutdown`: powered on by schedule, synced, powered off. */
export const drModes = ['always-on', 'boot-sync-shutdown'] as const;
export type DrMode = (typeof drModes)[number];

export const drLinkStates = ['linking', 'linked', 'failed'] as const;
export type DrLinkState = (typeof drLinkStates)[number];

export const drProtectionStates = ['protecting', 'protected', 'unprotecting', 'failed'] as const;
export type DrProtectionState = (typeof drProtectionStates)[number];

export type DrCycleOutcome = 'running' | 'succeeded' | 'failed';

export interface DrLink {
  id: string;
  /** The pair's Anvil! name (its manifest's name). */
  anvil: string;
  drHost: string;
  drHostId: string;
  drSnAddress: string;
  protocol: DrProtocol;
  mode: DrMode;
  /** A croner expression, set in boot-sync-shutdown mode only. */
  schedule: string | null;
  state: DrLinkState;
  linkJob: string | null;
  lastCycleAt: Date | null;
  lastCycleOutcome: DrCycleOutcome | null;
  lastCycleMessage: string | null;
  /** The Striker that runs the pair's schedule. */
  ownerNode: string | null;
  createdAt: Date;
  modifiedAt: Date;
}

/** The host jobs of a protect or unprotect, by role. */
export interface DrHostJobs { node1: string; node2: string; dr: string }

export interface DrProtection {
  id: string;
  serverName: string;
  anvil: string;
  state: DrProtectionState;
  protectedSince: Date | null;
  jobs: DrHostJobs | null;
  error: string | null;
  createdAt: Date;
  modifiedAt: Date;
}
