/**
 * Configuration of mirrored repos (zod 4, strict, with defaults). The lead plugs
 * `repoSyncConfigSchema` into the main config; a repo added through the API or CLI is validated
 * with `repoConfigSchema`.
 */
import { z } from 'zod';
import { checkCron, isTimeZone } from './schedule.js';

const name = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be 1–64 of a-z 0-9 . _ - starting with a letter or digit');

const fiveFieldCron = /^(\S+\s+){4}\S+$/;

export const repoSourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('http'),
    url: z.url({ protocol: /^https?$/ }),
    /**
     * PEM certificate(s) of the CA that signed an https upstream's certificate, for internal mirrors
     * with a private CA (offline sites); trusted in addition to the system's CAs for this repo only.
     */
    caCertificate: z.string().includes('-----BEGIN CERTIFICATE-----', { message: 'must be a PEM certificate (-----BEGIN CERTIFICATE-----)' }).optional(),
  }).refine((source) => source.caCertificate === undefined || source.url.startsWith('https:'), { path: ['caCertificate'], message: 'is only used with an https:// url' }),
  z.strictObject({ kind: z.literal('directory'), path: z.string().startsWith('/', 'must be an absolute path') }),
]);

export const retainPolicySchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('mirror') }),
  z.strictObject({ mode: z.literal('keep'), versions: z.int().min(1).max(100) }),
]);

export const repoScheduleSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('manual') }),
  z.strictObject({ kind: z.literal('interval'), everyMinutes: z.int().min(5).max(60 * 24 * 31) }),
  z.strictObject({
    kind: z.literal('cron'),
    expression: z.string().regex(fiveFieldCron, "must be five cron fields like '0 3 * * *'"),
    /** IANA time zone the expression is read in (`Europe/Stockholm`); UTC when omitted. */
    timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone like Europe/Stockholm or UTC').optional(),
  }).superRefine((schedule, ctx) => {
    if (schedule.timeZone !== undefined && !isTimeZone(schedule.timeZone)) return;
    try { checkCron(schedule.expression, schedule.timeZone); } catch (error) { ctx.addIssue({ code: 'custom', path: ['expression'], message: (error as Error).message }); }
  }),
]);

export const repoConfigSchema = z
  .strictObject({
    name,
    source: repoSourceSchema,
    /** ASCII-armored public key the upstream signs with (RFC 4880 §6.2). */
    gpgKey: z.string().includes('-----BEGIN PGP PUBLIC KEY BLOCK-----', { message: 'must be an ASCII-armored OpenPGP public key' }).optional(),
    /** Refuse the sync unless repomd.xml.asc verifies against gpgKey. */
    requireRepoSignature: z.boolean().default(false),
    /** Refuse the sync unless every package is signed by gpgKey (rpmkeys --checksig). */
    requirePackageSignatures: z.boolean().default(false),
    retain: retainPolicySchema.default({ mode: 'mirror' }),
    /** Published snapshots kept on disk, current included. */
    keepSnapshots: z.int().min(1).max(50).default(2),
    /**
     * `auto`: republish upstream's verified metadata as is when the snapshot holds exactly upstream's
     * packages, else run createrepo_c; `createrepo`: always regenerate with createrepo_c.
     */
    republish: z.enum(['auto', 'createrepo']).default('auto'),
    /**
     * Connections to an HTTP upstream, and downloads in flight for a directory or ISO source. Over
     * HTTP, files small enough to verify in memory are pipelined, up to 32 requests per connection,
     * and larger files (resumable, streamed to disk) use up to this many connections of their own.
     */
    parallelism: z.int().min(1).max(64).default(8),
    schedule: repoScheduleSchema.default({ kind: 'manual' }),
    enabled: z.boolean().default(true),
  })
  .superRefine((repo, ctx) => {
    if ((repo.requireRepoSignature || repo.requirePackageSignatures) && repo.gpgKey === undefined) {
      ctx.addIssue({ code: 'custom', path: ['gpgKey'], message: 'is required when requireRepoSignature or requirePackageSignatures is true' });
    }
  });

export type RepoConfig = z.output<typeof repoConfigSchema>;
export type RepoConfigInput = z.input<typeof repoConfigSchema>;

export const repoSyncConfigSchema = z.strictObject({
  /** Where repos, the store and installation trees live; default `<dataDir>/repos` when unset. */
  reposDir: z.string().startsWith('/').optional(),
  /** Installation trees from imported ISOs; default `<dataDir>/trees`. */
  treesDir: z.string().startsWith('/').optional(),
  /**
   * Directory of Striker's own built RPMs (`striker-agent`), published at every start as the
   * signed repo `striker` (own-packages.ts). Default: `dist/rpms` in a checkout,
   * `/usr/share/striker/rpms` when Striker runs from /usr (installed from its RPM).
   */
  ownPackagesDir: z.string().startsWith('/', 'must be an absolute path').optional(),
  repos: z.array(repoConfigSchema).default([]),
  /** Largest OS media file (ISO) the browser may upload, in bytes. */
  uploadMaxBytes: z.number().int().min(1024 * 1024).max(1024 ** 4).default(32 * 1024 ** 3),
  /** Size of the chunks the browser sends an upload in (each is checksummed, written and synced before the next). */
  uploadChunkBytes: z.number().int().min(64 * 1024).max(32 * 1024 * 1024).default(8 * 1024 * 1024),
  /**
   * Threads that send files with sendfile(2) (installation trees, repos, boot loaders): `auto` is
   * one per core; 0 sends on Node's own event loop (send-file-addon.ts).
   */
  sendfileThreads: z.union([z.literal('auto'), z.int().min(0).max(16)]).default('auto'),
}).superRefine((config, ctx) => {
  config.repos.forEach((repo, i) => {
    if (repo.name === 'striker') ctx.addIssue({ code: 'custom', path: ['repos', i, 'name'], message: "'striker' is the repo of Striker's own packages (from ownPackagesDir): choose another name" });
  });
});

export type RepoSyncConfig = z.output<typeof repoSyncConfigSchema>;
