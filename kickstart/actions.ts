/**
 * The kickstart actions, each once for the API and the CLI: validation, the change and its audit
 * row in one transaction. Requesting a machine's pre-boot check (a `kickstart.check` job),
 * changing the shared kickstart settings (audited without the root password or its hash), and a
 * host's registration (its one-time token exchanged for the answer the app hands in).
 */
import { z } from 'zod';
import { audit, type ActionOptions, type Actor } from '../striker/audit/audit-store.js';
import type { CommandRunner } from '../striker/core/command/run-command.js';
import { ValidationError, type Problem } from '../striker/core/errors/index.js';
import { parseInput, problemsFromZod } from '../striker/core/validation/zod-problems.js';
import type { Database, DbTx } from '../striker/db/database.js';
import { enqueueJob } from '../striker/jobs/enqueue.js';
import type { Job } from '../striker/jobs/job.js';
import type { JobCatalog } from '../striker/jobs/job-kind.js';
import { getMachine, machineMacOf } from '../striker/machines/index.js';
import { hashRootPassword } from './password-hash.js';
import { updateKickstartSettings, type KickstartSettings, type SettingsChange } from './settings-store.js';
import { markRegistered } from './host-store.js';
import { sshPublicKeyPattern } from './kickstart-input.js';
import { PgTokenStore } from './token-store.js';

const name = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be 1–64 of a-z 0-9 . _ - (a repo or tree name)');

export const settingsChangeSchema = z
  .strictObject({
    rootPassword: z.string().min(8, 'must be at least 8 characters').max(256, 'must be at most 256 characters').refine((s) => !/[\r\n]/.test(s), 'must be on one line'),
    timezone: z.string().regex(/^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/, 'must be a tz database name like America/Toronto'),
    keyboard: z.string().regex(/^[a-z0-9_-]{1,32}$/, 'must be a console keymap like us or de-latin1'),
    language: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?(\.UTF-8)?$/, 'must be a locale like en_US.UTF-8'),
    tree: name.nullable(),
    repos: z.array(name).max(64, 'takes at most 64 repos').nullable(),
    rootSshKeys: z.array(z.string().trim().max(1024).regex(sshPublicKeyPattern, 'must be one OpenSSH public key line like ssh-ed25519 AAAA… admin@laptop')).max(16, 'takes at most 16 keys'),
    kernelArgs: z.array(z.string().regex(/^[A-Za-z0-9._~/%+=,:@-]{1,1024}$/, 'must be one word of URL-safe characters like console=ttyS0,115200')).max(32, 'takes at most 32 arguments'),
  })
  .partial()
  .refine((c) => Object.keys(c).length > 0, 'must change at least one of rootPassword, timezone, keyboard, language, tree, repos, rootSshKeys, kernelArgs') satisfies z.ZodType<SettingsChange>;

export const checkRequestSchema = z.strictObject({ engine: z.enum(['auto', 'dnf', 'resolver']).optional() });

/** Validates a settings change, listing every problem under `path`; a rejected password is never echoed back. */
export function parseSettingsChange(input: unknown, path = ''): SettingsChange {
  if (input === undefined || input === null) throw new ValidationError([{ path: path === '' ? 'settings' : path, message: 'is required (a JSON object)' }], 'kickstart settings');
  const result = settingsChangeSchema.safeParse(input);
  if (result.success) return result.data;
  const passwordPath = path === '' ? 'rootPassword' : `${path}.rootPassword`;
  const problems: Problem[] = problemsFromZod(result.error, input, path).map((p) =>
    p.path === passwordPath ? { path: p.path, message: p.message.replace(/ — got .*$/s, '') } : p);
  throw new ValidationError(problems, 'kickstart settings');
}

/** Changes the shared settings; the root password is hashed with `openssl passwd -6` through the adapter. */
export async function changeKickstartSettings(db: Database, run: CommandRunner, actor: Actor, input: unknown, options: ActionOptions = {}): Promise<KickstartSettings> {
  const { rootPassword, ...change } = parseSettingsChange(input, options.inputPath);
  const hash = rootPassword === undefined ? undefined : await hashRootPassword(run, rootPassword);
  return db.tx(async (t) => {
    const saved = await updateKickstartSettings(t, change, hash, actor.userId);
    await audit(t, actor, {
      action: 'kickstart.settings',
      targetKind: 'settings',
      targetId: 'kickstart',
      details: { ...change, ...(hash === undefined ? {} : { rootPasswordChanged: true }) },
      requestId: options.requestId,
    });
    return saved;
  });
}

/** Enqueues a `kickstart.check` job for a known machine; `input` may choose the engine. */
export async function requestKickstartCheck(db: Database, catalog: JobCatalog, actor: Actor, rawMac: string, input: unknown, options: ActionOptions = {}): Promise<Job> {
  const mac = machineMacOf(rawMac);
  const request = input === undefined || input === null ? {} : parseInput(checkRequestSchema, input, 'kickstart check', options.inputPath);
  return db.tx(async (t) => {
    await getMachine(t, mac);
    const job = await enqueueJob(t, catalog, { kind: 'kickstart.check', payload: { mac, ...request }, createdBy: actor.userId });
    await audit(t, actor, { action: 'kickstart.check', targetKind: 'machine', targetId: mac, details: { jobId: job.id, ...request }, requestId: options.requestId });
    return job;
  });
}

/** Makes a registration's answer inside its transaction (the app hands in the agent area's credential issuing). */
export type RegisteredHook = (t: DbTx, hostId: string, peerIp: string) => Promise<Record<string, unknown>>;

/**
 * A host's registration, all or nothing in one transaction: its one-time token is spent, its
 * machine becomes `installed`, and `onRegistered` makes the answer (the agent credentials, with
 * their audit rows); without it the answer is `{hostId, mac}`. If any part fails nothing is
 * written and the token stays usable. Undefined when no unexpired, unused token matched.
 */
export async function registerHost(
  db: Database,
  request: { hostId: string; tokenHash: string; peerIp: string; now: Date },
  onRegistered?: RegisteredHook,
): Promise<Record<string, unknown> | undefined> {
  return db.tx(async (t) => {
    if (!(await new PgTokenStore(t).consume(request.hostId, request.tokenHash, request.now))) return undefined;
    const registered = await markRegistered(t, request.hostId);
    return onRegistered === undefined ? registered : onRegistered(t, request.hostId, request.peerIp);
  });
}
