/**
 * What every host's kickstart shares, kept in one `kickstart_settings` row: the root password
 * (only its SHA-512 crypt hash), locale defaults, and which installation tree and repos hosts
 * install from. Changing them is an admin action, audited without the password or its hash.
 */
import { z } from 'zod';
import type { Actor } from '../striker/audit/audit-store.js';
import { audit } from '../striker/audit/audit-store.js';
import type { CommandRunner } from '../striker/core/command/run-command.js';
import type { Database, Queryable } from '../striker/db/database.js';
import { ValidationError, type Problem } from '../striker/core/errors/index.js';
import { problemsFromZod } from '../striker/core/validation/zod-problems.js';
import { hashRootPassword } from './password-hash.js';

export interface KickstartSettings {
  rootPasswordHash: string | null;
  timezone: string;
  keyboard: string;
  language: string;
  /** null: the only imported tree. */
  treeName: string | null;
  /** null: every synced repo. */
  repoNames: string[] | null;
  modifiedAt: Date;
}

/** Settings as the API shows them: whether a root password is set, never the hash. */
export type PublicKickstartSettings = Omit<KickstartSettings, 'rootPasswordHash'> & { rootPasswordSet: boolean };

const name = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be 1–64 of a-z 0-9 . _ - (a repo or tree name)');

export const settingsChangeSchema = z
  .strictObject({
    rootPassword: z.string().min(8, 'must be at least 8 characters').max(256, 'must be at most 256 characters').refine((s) => !/[\r\n]/.test(s), 'must be on one line'),
    timezone: z.string().regex(/^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/, 'must be a tz database name like America/Toronto'),
    keyboard: z.string().regex(/^[a-z0-9_-]{1,32}$/, 'must be a console keymap like us or de-latin1'),
    language: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?(\.UTF-8)?$/, 'must be a locale like en_US.UTF-8'),
    tree: name.nullable(),
    repos: z.array(name).max(64, 'takes at most 64 repos').nullable(),
  })
  .partial()
  .refine((c) => Object.keys(c).length > 0, 'must change at least one of rootPassword, timezone, keyboard, language, tree, repos');

export type SettingsChange = z.output<typeof settingsChangeSchema>;

/** Validates a change, listing every problem; a rejected password is never echoed back. */
export function parseSettingsChange(body: unknown): SettingsChange {
  if (body === undefined || body === null) throw new ValidationError([{ path: 'body', message: 'is required (a JSON object)' }], 'kickstart settings');
  const result = settingsChangeSchema.safeParse(body);
  if (result.success) return result.data;
  const problems: Problem[] = problemsFromZod(result.error, body, 'body').map((p) =>
    p.path === 'body.rootPassword' ? { path: p.path, message: p.message.replace(/ — got .*$/s, '') } : p);
  throw new ValidationError(problems, 'kickstart settings');
}

const COLUMNS = `root_password_hash AS "rootPasswordHash", timezone, keyboard, language, tree_name AS "treeName",
  repo_names AS "repoNames", modified_at AS "modifiedAt"`;

export async function loadKickstartSettings(q: Queryable): Promise<KickstartSettings> {
  const { rows } = await q.query<KickstartSettings>(`SELECT ${COLUMNS} FROM kickstart_settings`);
  const row = rows[0];
  if (row) return row;
  // The migration inserts the row; a database restored without it still works.
  const inserted = await q.query<KickstartSettings>(`INSERT INTO kickstart_settings DEFAULT VALUES ON CONFLICT (singleton) DO NOTHING RETURNING ${COLUMNS}`);
  return inserted.rows[0] ?? (await q.query<KickstartSettings>(`SELECT ${COLUMNS} FROM kickstart_settings`)).rows[0]!;
}

export function publicSettings(s: KickstartSettings): PublicKickstartSettings {
  const { rootPasswordHash, ...rest } = s;
  return { ...rest, rootPasswordSet: rootPasswordHash !== null };
}

/** Applies a validated change; the password is hashed with `openssl passwd -6` through the adapter. */
export async function changeKickstartSettings(db: Database, run: CommandRunner, actor: Actor, change: SettingsChange, requestId?: string): Promise<KickstartSettings> {
  const hash = change.rootPassword === undefined ? undefined : await hashRootPassword(run, change.rootPassword);
  return db.tx(async (q) => {
    await loadKickstartSettings(q);
    await q.query(
      `UPDATE kickstart_settings SET
         root_password_hash = COALESCE($1, root_password_hash),
         timezone = COALESCE($2, timezone), keyboard = COALESCE($3, keyboard), language = COALESCE($4, language),
         tree_name = CASE WHEN $5::boolean THEN $6 ELSE tree_name END,
         repo_names = CASE WHEN $7::boolean THEN $8::text[] ELSE repo_names END,
         modified_by = $9`,
      [hash ?? null, change.timezone ?? null, change.keyboard ?? null, change.language ?? null,
        'tree' in change, change.tree ?? null, 'repos' in change, change.repos ?? null, actor.userId],
    );
    const { rootPassword: _secret, ...shown } = change;
    await audit(q, actor, {
      action: 'kickstart.settings',
      targetKind: 'settings',
      targetId: 'kickstart',
      details: { ...shown, ...(hash === undefined ? {} : { rootPasswordChanged: true }) },
      ...(requestId === undefined ? {} : { requestId }),
    });
    return loadKickstartSettings(q);
  });
}
