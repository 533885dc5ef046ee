/**
 * ScanCore's configuration: how agents run, how long readings count and are kept, and every
 * threshold, grace period and weight the health score and the decision engine use. Validated
 * strictly (every problem named by its key path), defaults filled in, then frozen.
 *
 * Booting again at 35 % charge is Anvil!'s `scancore::power::safe_boot_percentage` default; the
 * other defaults follow the same pattern of ScanCore behaviour: load shed after two minutes with
 * every UPS on battery, a graceful shutdown below ten minutes of hold-up time, a two-minute grace
 * before a preventative migration.
 */
import { z } from 'zod';
import { parseOrThrow } from '../../striker/core/validation/zod-problems.js';
import { agentNames } from './agents/scan-agent.js';

const seconds = (max: number) => z.number().int().min(0).max(max);

const pairNode = z.strictObject({
  /** The node's name in the cluster (crm_mon), e.g. an-a01n01. */
  name: z.string().min(1).max(63).regex(/^[A-Za-z0-9][A-Za-z0-9.-]*$/, 'must be a host name like an-a01n01'),
  /** The host agent's id (its MAC spelled 52-54-00-12-34-56). */
  hostId: z.string().regex(/^[0-9a-f]{2}(-[0-9a-f]{2}){5}$/, 'must be a host id like 52-54-00-12-34-56'),
  /** The node's BMC, read (sensors, chassis power) and used to boot it by this Striker. */
  ipmi: z.strictObject({
    address: z.string().min(1).max(255),
    port: z.number().int().min(1).max(65535).optional(),
    username: z.string().min(1).max(64),
    password: z.string().min(1).max(64),
    cipher: z.number().int().min(0).max(17).optional(),
  }).optional(),
});

/** A node pair ScanCore watches and protects (until the manifest supplies them). */
export const scancorePairSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be a pair id like an-anvil-01'),
  nodes: z.tuple([pairNode, pairNode]),
  upses: z.array(z.strictObject({
    name: z.string().min(1).max(63),
    upsName: z.string().min(1).max(63),
    address: z.string().min(1).max(255),
    port: z.number().int().min(1).max(65535).optional(),
    /** Names of the nodes it powers. */
    feeds: z.array(z.string().min(1).max(63)).min(1).max(2),
  })).max(8).default([]),
});

export type ScancorePair = z.output<typeof scancorePairSchema>;

export const scancoreConfigSchema = z.strictObject({
  /** The pairs this Striker watches and decides for, beside those of the applied manifests. */
  pairs: z.array(scancorePairSchema).max(1000).default([]),
  /** Also watch the pair of every applied manifest (manifest-pairs.ts). */
  pairsFromManifests: z.boolean().default(true),
  /** How often the Striker runs a decision round. */
  roundSeconds: z.number().int().min(5).max(3600).default(30),
  scan: z.strictObject({
    /** How often a host runs its scan cycle. */
    intervalSeconds: z.number().int().min(5).max(3600).default(30),
    /** Time limit for one agent's whole scan (Anvil!'s `scancore::timing::agent_runtime`, 30 s); the agent is stopped and reported failed past it. */
    agentTimeLimitMs: z.number().int().min(100).max(300_000).default(30_000),
    /** Time limit for each command an agent runs. */
    commandTimeoutMs: z.number().int().min(100).max(300_000).default(10_000),
    /** Agents not run on a host, by host name: `{ "an-a01n01": ["storage"] }`. */
    disabledAgents: z.record(z.string().min(1), z.array(z.enum(agentNames))).default({}),
    /** Largest scan report a host agent may POST, in bytes; a larger one is refused (413). */
    reportMaxBytes: z.number().int().min(16_384).max(16 * 1024 * 1024).default(1024 * 1024),
  }).prefault({}),
  readings: z.strictObject({
    /** A reading older than this is not acted on (the source is treated as unknown). */
    staleAfterSeconds: seconds(86_400).min(10).default(180),
    /** Raw readings are purged after this many hours. */
    keepReadingsHours: z.number().int().min(1).max(24 * 366).default(48),
    /** Health score history is purged after this many days. */
    keepHealthDays: z.number().int().min(1).max(3660).default(90),
    /** How often the decision service applies the two limits above (the first round after a start does too). */
    purgeEveryMinutes: z.number().int().min(1).max(24 * 60).default(60),
  }).prefault({}),
  health: z.strictObject({
    /** Weight per condition id (health-conditions.ts), replacing the table's default. */
    weights: z.record(z.string().min(1), z.number().min(0).max(1000)).default({}),
  }).prefault({}),
  migration: z.strictObject({
    /** The peer must be sicker by at least this much before servers are pulled away from it. */
    scoreDifference: z.number().min(1).max(1000).default(1),
    /** …for longer than this. */
    graceSeconds: seconds(86_400).default(120),
  }).prefault({}),
  power: z.strictObject({
    /** Every UPS feeding the pair on battery this long → shed load. */
    loadShedGraceSeconds: seconds(86_400).default(120),
    /** Best remaining hold-up time below this → shut the servers down and power off. */
    holdUpFloorSeconds: seconds(86_400).default(600),
    /** Boot the nodes again once mains is back and the best UPS is charged to this. */
    safeBootChargePct: z.number().min(0).max(100).default(35),
  }).prefault({}),
  thermal: z.strictObject({
    /** The only node still on stays hot this long → full shutdown. */
    lastNodeHotSeconds: seconds(86_400).default(300),
    /** Cool-down before booting after the first thermal shutdown… */
    coolDownBaseSeconds: seconds(86_400).default(600),
    /** …multiplied by this for each further thermal shutdown within the window… */
    coolDownFactor: z.number().min(1).max(10).default(2),
    /** …up to this. */
    coolDownMaxSeconds: seconds(7 * 86_400).default(21_600),
    /** Thermal shutdowns older than this no longer lengthen the cool-down. */
    repeatWindowHours: z.number().int().min(1).max(24 * 30).default(24),
  }).prefault({}),
  alerts: z.strictObject({
    /** How long an alert's set or clear is held before it is sent (a flap inside it sends nothing); 0 sends at once. */
    holdSeconds: seconds(86_400).default(30),
    /** Per SMTP relay: seconds to connect, to get the greeting, and of silence. */
    smtpTimeoutSeconds: z.number().int().min(1).max(600).default(15),
  }).prefault({}),
});

export type ScancoreConfig = z.output<typeof scancoreConfigSchema>;

export function parseScancoreConfig(input: unknown): ScancoreConfig {
  return deepFreeze(parseOrThrow(scancoreConfigSchema, input ?? {}, 'scancore configuration', 'scancore'));
}

export const defaultScancoreConfig: ScancoreConfig = parseScancoreConfig({});

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
