/**
 * The agent API (`/api/agent/*`) as both sides see it: request bodies (zod, validated by Striker)
 * and answers (types, read by the agent). Every call is made with the host's credential; the
 * host is never named in a path or body, so a credential can only ever act for its own host.
 * `instanceId` names one run of the agent process: Striker records jobs as claimed by
 * `agent:<hostId>:<instanceId>`, so a restarted agent cannot report on the jobs of the one before.
 */
import { z } from 'zod';
import { inventorySchema } from './inventory-schema.js';
import { hostJobKindNames } from './host-job-kinds.js';

const instanceId = z.string().regex(/^[A-Za-z0-9-]{8,64}$/, 'must be 8 to 64 letters, digits or dashes');
const strikerUrl = z.string().max(500);
const vars = z.record(z.string().max(64), z.unknown()).refine((v) => JSON.stringify(v).length <= 16_384, 'must be at most 16 KiB of JSON').default({});

export const helloBody = z.strictObject({
  instanceId,
  version: z.string().min(1).max(64),
  strikerUrl,
});

export const heartbeatBody = z.strictObject({
  instanceId,
  strikerUrl,
  jobIds: z.array(z.uuid()).max(64).default([]),
});

export const inventoryBody = z.strictObject({ inventory: inventorySchema });

export const claimBody = z.strictObject({
  instanceId,
  kinds: z.array(z.enum(hostJobKindNames)).min(1).max(hostJobKindNames.length).default([...hostJobKindNames]),
  limit: z.number().int().min(1).max(16).default(1),
  /** Seconds to hold the request open when nothing is claimable (a long poll); 0 answers at once. */
  waitSeconds: z.number().int().min(0).max(60).default(25),
});

export const progressBody = z.strictObject({
  instanceId,
  progress: z.number().int().min(0).max(99),
  message: z.string().max(500).default(''),
  vars,
  /** Keep this report in the job's history even when its template and 10 % step repeat (a step of a plan). */
  milestone: z.boolean().optional(),
});

export const messageBody = z.strictObject({
  instanceId,
  message: z.string().min(1).max(2000),
  vars,
  level: z.enum(['info', 'warn', 'error']).default('info'),
});

export const finishBody = z.strictObject({
  instanceId,
  outcome: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('succeeded'), message: z.string().min(1).max(500).optional(), noChange: z.string().min(1).max(500).optional() }),
    z.strictObject({ kind: z.literal('failed'), error: z.string().min(1).max(4000), retryable: z.boolean().default(true) }),
    z.strictObject({ kind: z.literal('cancelled') }),
    z.strictObject({ kind: z.literal('interrupted') }),
  ]),
});

export type HelloBody = z.input<typeof helloBody>;
export type HeartbeatBody = z.input<typeof heartbeatBody>;
export type ClaimBody = z.input<typeof claimBody>;
export type ProgressBody = z.input<typeof progressBody>;
export type MessageBody = z.input<typeof messageBody>;
export type FinishBody = z.input<typeof finishBody>;
export type FinishOutcome = z.input<typeof finishBody>['outcome'];

export interface HelloResponse {
  hostId: string;
  /** Jobs of this host interrupted by the agent's last shutdown, queued again. */
  requeued: number;
}

export interface HeartbeatResponse {
  /** For each job id sent: whether it is still this agent's, and whether an operator asked to cancel it. */
  jobs: { id: string; held: boolean; cancelRequested: boolean }[];
}

export interface ClaimedJob {
  id: string;
  kind: string;
  payload: unknown;
  attempts: number;
}

export interface ClaimResponse {
  jobs: ClaimedJob[];
}

export interface JobWriteResponse {
  /** False when the job is no longer this agent's (reaped as stale, or finished). */
  held: boolean;
}
