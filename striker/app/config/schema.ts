/**
 * The one schema for `striker serve`'s configuration: YAML file plus STRIKER_* environment.
 * Every key has a default, unknown keys are rejected, and the result is frozen.
 * Areas with their own settings (pxe, repos…) contribute a sub-schema here.
 */
import { z } from 'zod';
import { logLevels } from '../../core/log.js';
import { isIpv4, parseCidr } from '../../core/net/ipv4.js';
import { repoSyncConfigSchema } from '../../../repo-sync/config.js';
import { kickstartConfigSchema } from '../../../kickstart/config.js';
import { pxeConfigSchema } from '../../../pxe/pxe-config.js';
import { peersConfigSchema } from '../../peers/peers-config.js';
import { scancoreConfigSchema } from '../../../cluster/scancore/scancore-config.js';
import { serversConfigSchema } from '../../../cluster/servers/servers-config.js';
import { filesConfigSchema } from '../../../cluster/files/files-config.js';

const logLevel = z.enum(logLevels);

const hostName = z
  .string()
  .regex(/^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i, 'must be a host name like striker1.example.com (no port)');

const addressOrSubnet = z
  .string()
  .refine((text) => isIpv4(text) || parseCidr(text) !== undefined, 'must be an IPv4 address like 10.201.4.5 or a subnet like 10.201.0.0/16');

const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a URL like postgres://user:password@host:5432/striker');

export const configSchema = z.strictObject({
  /** Everything Striker writes lives under this directory. */
  dataDir: z.string().min(1).default('./var'),
  http: z
    .strictObject({
      host: z.string().min(1).default('0.0.0.0'),
      port: z.number().int().min(0).max(65535).default(8080),
      /** Public base URL (for links handed to machines); derived from host/port when empty. */
      publicUrl: z.string().url().optional(),
      bodyLimitBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
      /** Mark cookies Secure (set when Striker is reached over HTTPS through a proxy). */
      secureCookies: z.boolean().default(false),
      /**
       * Host names (besides loopback, publicUrl's host and the listen address) under which browsers
       * may log in; any other name in a login's Host or Origin header is refused (DNS rebinding).
       */
      allowedHosts: z.array(hostName).default([]),
    })
    .prefault({}),
  database: z
    .strictObject({
      /** The Strikers' PostgreSQL databases. Empty: start an embedded PostgreSQL under dataDir. */
      urls: z.array(postgresUrl).default([]),
      poolSize: z.number().int().min(1).max(100).default(10),
      /** Port of the embedded PostgreSQL (0: pick a free one). */
      embeddedPort: z.number().int().min(0).max(65535).default(0),
      replication: z
        .strictObject({
          /**
           * Replicate with peer Strikers (striker/db/replication). The embedded database is started
           * for it; a system PostgreSQL is checked at start and refused when a setting is wrong.
           */
          enabled: z.boolean().default(true),
          /** This Striker's name among its peers; unset keeps the generated one. */
          nodeName: z.string().regex(/^[a-z][a-z0-9_]{0,23}$/, 'a lower-case identifier like striker_b (a letter, then up to 23 of a-z, 0-9, _)').optional(),
          /** max_slot_wal_keep_size: WAL kept for a peer that is away, MiB; beyond it the peer must be re-seeded. */
          maxSlotWalKeepSizeMb: z.number().int().min(64).max(1024 * 1024).default(8192),
          /** wal_retrieve_retry_interval: how soon a stopped apply worker retries, ms. */
          walRetrieveRetryMs: z.number().int().min(50).max(300_000).default(1000),
        })
        .prefault({}),
    })
    .prefault({}),
  log: z.strictObject({ level: logLevel.default('info'), pretty: z.boolean().default(false) }).prefault({}),
  auth: z
    .strictObject({
      sessionHours: z.number().positive().max(24 * 30).default(12),
      /** Login attempts allowed per client address in the window (failures; a success frees its own). */
      loginAttempts: z.number().int().min(1).max(1000).default(5),
      loginWindowSeconds: z.number().int().min(1).max(86400).default(300),
      /** Failed logins for one user in the window before each further attempt is delayed. */
      loginSlowdownAfter: z.number().int().min(0).max(1000).default(3),
      /** The longest delay (it doubles with each failure past loginSlowdownAfter, up to this). */
      loginSlowdownMaxSeconds: z.number().min(0).max(60).default(10),
      /** Password hashes computed at once (scrypt uses libuv's thread pool, which file reads share). */
      hashConcurrency: z.number().int().min(1).max(4).default(2),
      /** Password hashes that may wait; beyond this a login is answered 429 (busy). */
      hashQueue: z.number().int().min(0).max(1000).default(32),
      /** IPv4 addresses or subnets (besides loopback) that may create the first admin. */
      setupAddresses: z.array(addressOrSubnet).default([]),
    })
    .prefault({}),
  jobs: z
    .strictObject({
      /** Concurrent jobs this process runs. */
      workers: z.number().int().min(0).max(32).default(2),
      heartbeatSeconds: z.number().positive().max(300).default(5),
      /** A running job whose heartbeat is older than this is considered dead. */
      staleAfterSeconds: z.number().positive().max(3600).default(30),
      pollSeconds: z.number().positive().max(60).default(1),
      shutdownGraceSeconds: z.number().min(0).max(600).default(10),
      /** Hours between automatic `maintenance.purge` runs (0: never; an operator runs it). */
      purgeEveryHours: z.number().min(0).max(24 * 30).default(24),
      /** What the automatic purge keeps: finished jobs, history rows and boot events newer than this. */
      keepDays: z.number().int().min(1).max(3650).default(90),
    })
    .prefault({}),
  /** Mirrored RPM repos and installation trees (repo-sync/). */
  repos: repoSyncConfigSchema.prefault({}),
  /** PXE on the back-channel interface: DHCP, TFTP and HTTP boot routes (pxe/). Off by default. */
  pxe: pxeConfigSchema.prefault({}),
  /** Kickstarts: signed URL lifetime, registration tokens (kickstart/). */
  kickstart: kickstartConfigSchema.prefault({}),
  /** Host agents (striker/agent/). */
  agents: z
    .strictObject({
      /** Largest inventory an agent may send, in bytes; a larger one is refused (413) with an audit row. */
      inventoryMaxBytes: z.number().int().min(4096).max(16 * 1024 * 1024).default(256 * 1024),
      /**
       * How long a held job claim trusts its agent credential's last check when a queued job wakes
       * it; a revocation reaches every Striker at once through NOTIFY. 0 checks the database at
       * every wake.
       */
      credentialCacheSeconds: z.number().min(0).max(60).default(5),
    })
    .prefault({}),
  /** ScanCore: scan intervals, readings' age-out, health weights, decision thresholds (cluster/scancore). */
  scancore: scancoreConfigSchema.prefault({}),
  /** Servers on the pairs: backing volumes, DRBD dry runs, hypervisor (cluster/servers). */
  servers: serversConfigSchema.prefault({}),
  /** Files synced to hosts: where hosts keep them, upload limits (cluster/files). */
  files: filesConfigSchema.prefault({}),
  /** Peering with other Strikers: this Striker's address and database host as peers reach them (striker/peers). */
  peers: peersConfigSchema.prefault({}),
  host: z
    .strictObject({
      /** Let Striker change this machine's own network and host name. Off unless you mean it. */
      manage: z.boolean().default(false),
    })
    .prefault({}),
});

export type StrikerConfig = z.output<typeof configSchema>;
export type StrikerConfigInput = z.input<typeof configSchema>;
