/**
 * The one schema for `striker serve`'s configuration: YAML file plus STRIKER_* environment.
 * Every key has a default, unknown keys are rejected, and the result is frozen.
 * Areas with their own settings (pxe, repos…) contribute a sub-schema here.
 */
import { z } from 'zod';
import { logLevels } from '../../core/log.js';
import { repoSyncConfigSchema } from '../../../repo-sync/config.js';
import { kickstartConfigSchema } from '../../../kickstart/config.js';
import { pxeConfigSchema } from '../../../pxe/pxe-config.js';

const logLevel = z.enum(logLevels);

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
    })
    .prefault({}),
  database: z
    .strictObject({
      /** The Strikers' PostgreSQL databases. Empty: start an embedded PostgreSQL under dataDir. */
      urls: z.array(postgresUrl).default([]),
      poolSize: z.number().int().min(1).max(100).default(10),
      /** Port of the embedded PostgreSQL (0: pick a free one). */
      embeddedPort: z.number().int().min(0).max(65535).default(0),
    })
    .prefault({}),
  log: z.strictObject({ level: logLevel.default('info'), pretty: z.boolean().default(false) }).prefault({}),
  auth: z
    .strictObject({
      sessionHours: z.number().positive().max(24 * 30).default(12),
      loginAttempts: z.number().int().min(1).max(1000).default(5),
      loginWindowSeconds: z.number().int().min(1).max(86400).default(300),
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
    })
    .prefault({}),
  /** Mirrored RPM repos and installation trees (repo-sync/). */
  repos: repoSyncConfigSchema.prefault({}),
  /** PXE on the back-channel interface: DHCP, TFTP and HTTP boot routes (pxe/). Off by default. */
  pxe: pxeConfigSchema.prefault({}),
  /** Kickstarts: signed URL lifetime, registration tokens (kickstart/). */
  kickstart: kickstartConfigSchema.prefault({}),
  host: z
    .strictObject({
      /** Let Striker change this machine's own network and host name. Off unless you mean it. */
      manage: z.boolean().default(false),
    })
    .prefault({}),
});

export type StrikerConfig = z.output<typeof configSchema>;
export type StrikerConfigInput = z.input<typeof configSchema>;
